"use client";

import { useState } from "react";
import { cn } from "@/lib/utils";

/**
 * An integration's logo from its configured http(s) URL. A plain <img> (not
 * next/image): the URL is the admin's choice of any host, and the image is
 * decorative next to the name. No referrer, so the host learns nothing; a
 * logo that fails to load is left out rather than shown broken.
 */
export function IntegrationLogo({ logoUrl, size = 20, className }: { logoUrl: string | null; size?: number; className?: string }) {
  const [failed, setFailed] = useState<string | null>(null);
  if (!logoUrl || failed === logoUrl) return null;
  return (
    // eslint-disable-next-line @next/next/no-img-element
    <img
      src={logoUrl}
      alt=""
      width={size}
      height={size}
      loading="lazy"
      referrerPolicy="no-referrer"
      onError={() => setFailed(logoUrl)}
      className={cn("shrink-0 rounded-sm object-contain", className)}
      style={{ width: size, height: size }}
    />
  );
}
