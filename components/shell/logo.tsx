import type * as React from "react";

import { cn } from "@/lib/utils";

/**
 * SyncLedger mark: three stacked, chained blocks (an append-only ledger). Decorative; server-safe.
 */
export function LogoMark({ className, ...props }: React.ComponentProps<"svg">) {
  return (
    <svg
      viewBox="0 0 32 32"
      aria-hidden="true"
      focusable="false"
      data-slot="logo-mark"
      className={cn("size-7 shrink-0", className)}
      {...props}
    >
      <rect width="32" height="32" rx="8" className="fill-primary" />
      <rect x="8" y="6.5" width="16" height="5" rx="1.5" className="fill-primary-foreground" opacity="0.5" />
      <rect x="8" y="13.5" width="16" height="5" rx="1.5" className="fill-primary-foreground" opacity="0.75" />
      <rect x="8" y="20.5" width="16" height="5" rx="1.5" className="fill-primary-foreground" />
      <path d="M12 11.5v2M20 11.5v2M12 18.5v2M20 18.5v2" className="stroke-primary-foreground" strokeWidth="1.5" opacity="0.6" />
    </svg>
  );
}

/** Mark + product name, used in the sidebar header. */
export function Brand({ className }: { className?: string }) {
  return (
    <span className={cn("flex items-center gap-2.5", className)}>
      <LogoMark />
      <span className="flex flex-col leading-tight">
        <span className="text-[15px] font-semibold tracking-tight text-foreground">SyncLedger</span>
        <span className="text-[11px] text-muted-foreground">Identity governance</span>
      </span>
    </span>
  );
}
