"use client";

/** Queues a manual sync of one integration and reports it as a toast. */
import { useTransition } from "react";
import { useRouter } from "next/navigation";
import { Play } from "lucide-react";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toaster";
import type { ActionResult } from "@/lib/actions";

export function SyncNowButton({
  integrationId,
  disabledReason,
  action,
}: {
  integrationId: string;
  /** When set, the button is disabled and says why. */
  disabledReason?: string;
  action: (prev: ActionResult<unknown> | null, formData: FormData) => Promise<ActionResult<unknown>>;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Button
      size="sm"
      disabled={pending || !!disabledReason}
      title={disabledReason}
      onClick={() => {
        const formData = new FormData();
        formData.set("integrationId", integrationId);
        startTransition(async () => {
          const result = await action(null, formData);
          if (result.ok) {
            toast.success(result.message ?? "Sync queued");
            router.refresh();
          } else {
            toast.error(result.message);
          }
        });
      }}
    >
      <Play aria-hidden="true" /> {pending ? "Queuing…" : "Sync now"}
    </Button>
  );
}
