"use client";

import { useState } from "react";
import { cn } from "@/lib/utils";

/** Where the app serves an integration's uploaded logo; the upload id versions the URL, so it can be cached. */
export function integrationLogoSrc(integrationId: string, logoUploadId: string) {
  return `/api/integrations/${integrationId}/logo?v=${logoUploadId}`;
}

function initials(name: string) {
  const words = name
    .trim()
    .split(/[\s_-]+/)
    .filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[1][0] : (words[0] ?? "?").slice(0, 2);
  return letters.toUpperCase();
}

/**
 * An integration's logo: the image uploaded for it, served by the app (never
 * fetched from another host), or its initials when it has none or the image
 * cannot be shown. `src` overrides the served image (the form's preview of a
 * file just chosen, as a data: URL).
 */
export function IntegrationLogo({
  integrationId,
  logoUploadId,
  name,
  src,
  size = 20,
  className,
}: {
  integrationId?: string;
  logoUploadId?: string | null;
  name: string;
  src?: string | null;
  size?: number;
  className?: string;
}) {
  const url = src ?? (integrationId && logoUploadId ? integrationLogoSrc(integrationId, logoUploadId) : null);
  const [failed, setFailed] = useState<string | null>(null);
  if (!url || failed === url) {
    return (
      <span
        aria-hidden="true"
        data-slot="integration-initials"
        className={cn("inline-flex shrink-0 items-center justify-center rounded-sm bg-muted font-medium text-muted-foreground", className)}
        style={{ width: size, height: size, fontSize: Math.max(9, Math.round(size * 0.42)) }}
      >
        {initials(name)}
      </span>
    );
  }
  return (
    // eslint-disable-next-line @next/next/no-img-element
    <img
      src={url}
      alt=""
      width={size}
      height={size}
      loading="lazy"
      onError={() => setFailed(url)}
      className={cn("shrink-0 rounded-sm object-contain", className)}
      style={{ width: size, height: size }}
    />
  );
}
