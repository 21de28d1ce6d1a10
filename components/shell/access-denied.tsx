
import Link from "next/link";
import { ShieldX } from "lucide-react";

import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";

type AccessDeniedProps = {
  /** The user's current role, shown in the explanation when given. */
  role?: string;
  /** Optional: the role (or roles) this page needs, e.g. "admin". */
  requiredRole?: string;
  /** Where the "back" link points. Defaults to "/". */
  homeHref?: string;
  className?: string;
};

/** Shown instead of a page the current role may not see. Server-safe (no hooks). */
export function AccessDenied({ role, requiredRole, homeHref = "/", className }: AccessDeniedProps) {
  return (
    <section
      data-slot="access-denied"
      aria-labelledby="access-denied-title"
      className={cn("mx-auto flex max-w-md flex-col items-center px-4 py-16 text-center", className)}
    >
      <div className="mb-5 flex size-12 items-center justify-center rounded-full border border-destructive/20 bg-destructive/10 text-destructive">
        <ShieldX aria-hidden="true" className="size-6" />
      </div>
      <h1 id="access-denied-title" className="text-2xl font-semibold tracking-tight">
        Access denied
      </h1>
      <p className="mt-2 text-sm text-muted-foreground">
        {role ? (
          <>
            Your role (<span className="font-medium text-foreground">{role}</span>) cannot see this page.
          </>
        ) : (
          "Your role cannot see this page."
        )}
        {requiredRole ? (
          <>
            {" "}
            It requires the <span className="font-medium text-foreground">{requiredRole}</span> role.
          </>
        ) : null}{" "}
        If you think this is a mistake, ask a tenant admin to change your role.
      </p>
      <Button asChild variant="outline" className="mt-6">
        <Link href={homeHref}>Back to home</Link>
      </Button>
    </section>
  );
}

export type { AccessDeniedProps };
