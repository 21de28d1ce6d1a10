import type * as React from "react";

import { cn } from "@/lib/utils";

type PageHeaderProps = {
  title: React.ReactNode;
  description?: React.ReactNode;
  /** Buttons/links shown on the right (below the title on small screens). */
  actions?: React.ReactNode;
  /** A line under the description, e.g. links to related pages. */
  meta?: React.ReactNode;
  className?: string;
};

/** Page title (h1), optional description and actions. Server-safe. */
export function PageHeader({ title, description, actions, meta, className }: PageHeaderProps) {
  return (
    <div
      data-slot="page-header"
      className={cn("mb-6 flex flex-col gap-4 border-b pb-5 sm:flex-row sm:items-end sm:justify-between", className)}
    >
      <div className="min-w-0 space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight text-foreground">{title}</h1>
        {description ? <p className="max-w-3xl text-sm text-muted-foreground">{description}</p> : null}
        {meta ? <div className="pt-1">{meta}</div> : null}
      </div>
      {actions ? <div className="flex shrink-0 flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}

export type { PageHeaderProps };
