/**
 * "Related: Audit Log · Sync Logs · Pipeline Health · API Keys" under a page's
 * title: the operational pages that answer the next question, shown only to
 * roles that may open them. Server-safe.
 */
import Link from "next/link";
import { can, type ServiceContext } from "@/lib/auth/context";
import type { Permission } from "@/lib/auth/permissions";

const PAGES: { href: string; label: string; permission: Permission }[] = [
  { href: "/admin/audit-log", label: "Audit Log", permission: "audit_log:read" },
  { href: "/sync-logs", label: "Sync Logs", permission: "syncs:read" },
  { href: "/pipeline-health", label: "Pipeline Health", permission: "syncs:read" },
  { href: "/admin/api-keys", label: "API Keys", permission: "api_keys:read" },
];

export function RelatedLinks({ ctx, current }: { ctx: ServiceContext; current: string }) {
  const links = PAGES.filter((p) => p.href !== current && can(ctx, p.permission));
  if (!links.length) return null;
  return (
    <nav aria-label="Related pages" className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
      <span className="text-muted-foreground">Related:</span>
      {links.map((l) => (
        <Link key={l.href} href={l.href} className="font-medium text-primary underline-offset-4 hover:underline">
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
