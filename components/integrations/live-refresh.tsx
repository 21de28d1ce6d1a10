"use client";

/**
 * Keeps a server-rendered page current while a sync is queued or running:
 * re-renders it from the server every few seconds (router.refresh keeps
 * client state and scroll), and stops by itself once the page is rendered
 * with nothing running any more.
 */
import { useEffect } from "react";
import { useRouter } from "next/navigation";
import { RefreshCw } from "lucide-react";

export function LiveRefresh({ active, intervalMs = 2000 }: { active: boolean; intervalMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => {
      // A hidden tab does not need to poll; it refreshes when it is looked at again.
      if (document.visibilityState === "visible") router.refresh();
    }, intervalMs);
    const onVisible = () => {
      if (document.visibilityState === "visible") router.refresh();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [active, intervalMs, router]);

  if (!active) return null;
  return (
    <span role="status" className="inline-flex items-center gap-1.5 text-xs text-muted-foreground">
      <RefreshCw aria-hidden="true" className="size-3.5 animate-spin [animation-duration:2s]" />
      Updating live
    </span>
  );
}
