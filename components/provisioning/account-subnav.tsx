/**
 * The links between an integration's pages (Sync History, Accounts,
 * Provisioning), shown only where the role may open them. Server-safe.
 */
import Link from "next/link";
import { ChevronLeft } from "lucide-react";
import { can, type ServiceContext } from "@/lib/auth/context";
import { cn } from "@/lib/utils";

export function IntegrationSubnav({
  ctx,
  integrationId,
  current,
}: {
  ctx: ServiceContext;
  integrationId: string;
  current: "syncs" | "accounts" | "provisioning";
}) {
  const links = [
    { key: "syncs", href: `/integrations/${integrationId}/syncs`, label: "Sync History", show: can(ctx, "syncs:read") },
    { key: "accounts", href: `/integrations/${integrationId}/accounts`, label: "Accounts", show: can(ctx, "integrations:read") },
    {
      key: "provisioning",
      href: `/integrations/${integrationId}/provisioning`,
      label: "Provisioning",
      show: can(ctx, "provisioning:read"),
    },
  ].filter((l) => l.show);
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <Link href="/integrations" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ChevronLeft aria-hidden="true" className="size-4" /> Integrations
      </Link>
      <nav aria-label="Integration pages" className="flex flex-wrap gap-1 text-sm">
        {links.map((l) => (
          <Link
            key={l.key}
            href={l.href}
            aria-current={l.key === current ? "page" : undefined}
            className={cn(
              "rounded-md px-2.5 py-1 text-muted-foreground hover:bg-accent hover:text-foreground",
              l.key === current && "bg-accent font-medium text-foreground",
            )}
          >
            {l.label}
          </Link>
        ))}
      </nav>
    </div>
  );
}
