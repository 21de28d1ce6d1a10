/**
 * The filter form above a list: a GET form, so the filters live in the URL
 * (shareable, and the export links reuse them), with Apply and Reset, and the
 * refusal shown when the service cannot apply what was typed. Server-safe.
 */
import type { ReactNode } from "react";
import Link from "next/link";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { cn } from "@/lib/utils";

export function FilterForm({
  label = "Filters",
  resetHref,
  className,
  children,
}: {
  label?: string;
  /** The list without filters. */
  resetHref: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    // As many columns as fit at 12rem each, so a placeholder or an option is never cut and the form wraps instead.
    <form
      method="get"
      aria-label={label}
      className={cn(
        "grid grid-cols-[repeat(auto-fill,minmax(min(100%,12rem),1fr))] items-end gap-3 rounded-lg border bg-card p-4",
        className,
      )}
    >
      {children}
      <div className="flex gap-2">
        <Button type="submit">Apply</Button>
        <Button variant="ghost" asChild>
          <Link href={resetHref}>Reset</Link>
        </Button>
      </div>
    </form>
  );
}

export function FilterField({ label, htmlFor, children }: { label: ReactNode; htmlFor: string; children: ReactNode }) {
  return (
    <div className="grid min-w-0 gap-1.5">
      <Label htmlFor={htmlFor}>{label}</Label>
      {children}
    </div>
  );
}

/** Why the filters were not applied, when the service refused them. */
export function FilterProblem({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <Alert variant="destructive">
      <AlertDescription>The filters could not be applied: {message.replace(/\.$/, "")}.</AlertDescription>
    </Alert>
  );
}
