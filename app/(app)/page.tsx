import Link from "next/link";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { getCurrentTenant } from "@/lib/tenants/service";
import { getSessionUser, requireContext } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { navFor } from "./nav";

export const metadata = { title: "Overview" };

const blurbs: Record<string, string> = {
  "/integrations": "Connected applications, their settings and Sync History.",
  "/pipeline-health": "Queue depth, running syncs, throughput and failures.",
  "/admin/audit-log": "Who changed what, when, from where — with field-level diffs.",
  "/admin/api-keys": "Keys for automation, scoped and revocable.",
  "/admin/members": "People in this tenant and their roles.",
  "/platform/tenants": "Create, rename and deactivate tenants.",
};

export default async function OverviewPage() {
  const ctx = await requireContext().catch((e) => {
    if (isAppError(e) && e.kind === "forbidden") return null;
    throw e;
  });
  const tenant = ctx ? await getCurrentTenant(ctx) : null;
  const session = await getSessionUser();
  const links = navFor(ctx, session?.isPlatformAdmin ?? false).filter((n) => n.href !== "/" && blurbs[n.href]);
  return (
    <div className="grid gap-6">
      <PageHeader
        title={tenant ? tenant.name : "No tenant"}
        description={
          ctx
            ? `You are signed in as ${ctx.actor.name} with the ${ctx.role} role.`
            : "You are not a member of an active tenant. Ask an administrator to add you."
        }
      />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {links.map((l) => (
          <Link key={l.href} href={l.href} className="rounded-xl outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50">
            <Card className="h-full transition-colors hover:bg-muted/50">
              <CardHeader>
                <CardTitle>{l.label}</CardTitle>
                <CardDescription>{blurbs[l.href]}</CardDescription>
              </CardHeader>
            </Card>
          </Link>
        ))}
      </div>
    </div>
  );
}
