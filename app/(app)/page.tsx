import Link from "next/link";
import { MyReviews } from "@/components/campaigns/review/my-reviews";
import { SyncStatusBadge } from "@/components/integrations/sync-display";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { can, type PlatformContext, type ServiceContext } from "@/lib/auth/context";
import type { Role } from "@/lib/auth/permissions";
import { listAuditEvents } from "@/lib/audit/service";
import { myActiveReviews } from "@/lib/campaigns/review";
import { requirePlatformContext, requireContext } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { formatCount, formatDateTime } from "@/lib/format";
import { listPlatformAuditEvents } from "@/lib/platform/audit";
import { PLATFORM_ACTION_LABELS, type PlatformAuditAction } from "@/lib/platform/catalog";
import { getPipelineHealth } from "@/lib/syncs/health";
import { getCurrentTenant, listTenants } from "@/lib/tenants/service";
import { navFor } from "./nav";

export const metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

const blurbs: Record<string, string> = {
  "/integrations": "Connected applications, their settings and Sync History.",
  "/pipeline-health": "Queue depth, running syncs, throughput and failures.",
  "/sync-logs": "What every sync did with each record, across integrations.",
  "/ledger": "Verify that no record of evidence, sync or audit event was altered.",
  "/admin/audit-log": "Who changed what, when, from where — with field-level diffs.",
  "/admin/api-keys": "Keys for automation, scoped and revocable.",
  "/admin/members": "People in this tenant and their roles.",
  "/platform/tenants": "Create, rename, deactivate and activate tenants; platform administrators.",
  "/platform/audit-log": "What platform administrators did, across every tenant.",
};

/** What each role is for, in a sentence, and what it cannot do. */
const ROLE_SUMMARY: Record<Role, string> = {
  admin: "You run this tenant: connect applications, run syncs, manage members and API keys, and read the Audit Log and Ledger.",
  operator: "You keep the pipeline running: connect and configure integrations, start and cancel syncs, and attach evidence.",
  auditor: "You check the record: read Sync History and Sync Logs, evidence, the Audit Log, and verify the Ledger. You change nothing.",
  viewer: "You can follow the pipeline: integrations, Sync History, Sync Logs and Pipeline Health, read-only.",
  reviewer: "You review access. Access-review campaigns assigned to you will appear on this page.",
};

function Stat({ label, value, href }: { label: string; value: string; href?: string }) {
  const body = (
    <Card className="h-full transition-colors hover:bg-muted/50">
      <CardHeader>
        <CardDescription>{label}</CardDescription>
        <CardTitle className="text-2xl tabular-nums">{value}</CardTitle>
      </CardHeader>
    </Card>
  );
  return href ? (
    <Link href={href} className="rounded-xl outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50">
      {body}
    </Link>
  ) : (
    body
  );
}

async function TenantOverview({ ctx }: { ctx: ServiceContext }) {
  const role = ctx.role ?? "viewer";
  const [health, audit, reviews] = await Promise.all([
    can(ctx, "syncs:read") ? getPipelineHealth(ctx) : null,
    can(ctx, "audit_log:read") ? listAuditEvents(ctx, { limit: 5 }) : null,
    can(ctx, "campaigns:decide") ? myActiveReviews(ctx) : [],
  ]);
  const attention = health?.integrations.filter((i) => i.last_status === "error" || i.last_status === "held") ?? [];
  return (
    <>
      {role === "reviewer" ? (
        <Card aria-label="Campaigns">
          <CardHeader>
            <CardTitle>Your access reviews</CardTitle>
            <CardDescription>
              Campaigns are the access reviews you are asked to complete: for each person and each of their accounts or groups, you keep or
              revoke the access. When an admin or auditor starts a campaign that names you, it appears here with what is left to review.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <MyReviews reviews={reviews} />
          </CardContent>
        </Card>
      ) : reviews.length ? (
        <Card aria-label="My reviews">
          <CardHeader>
            <CardTitle>My reviews</CardTitle>
            <CardDescription>Active campaigns with items assigned to you.</CardDescription>
          </CardHeader>
          <CardContent>
            <MyReviews reviews={reviews} />
          </CardContent>
        </Card>
      ) : null}
      {health ? (
        <section aria-labelledby="pipeline-now" className="grid gap-3">
          <h2 id="pipeline-now" className="text-lg font-semibold">
            Pipeline now
          </h2>
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <Stat label="Integrations" value={formatCount(health.integrations.length)} href="/integrations" />
            <Stat label="Queued or running" value={formatCount(health.queue.queued + health.queue.running)} href="/pipeline-health" />
            <Stat label="Syncs finished (24 h)" value={formatCount(health.totals.syncs24h)} href="/pipeline-health" />
            <Stat label="Needing attention" value={formatCount(attention.length)} href="/pipeline-health" />
          </div>
          {attention.length ? (
            <Card>
              <CardHeader>
                <CardTitle>Needs attention</CardTitle>
                <CardDescription>The last sync of these integrations failed or is held for review.</CardDescription>
              </CardHeader>
              <CardContent>
                <ul className="grid gap-2">
                  {attention.map((i) => (
                    <li key={i.id} className="flex flex-wrap items-center gap-2 text-sm">
                      <Link href={`/integrations/${i.id}/syncs`} className="font-medium hover:underline">
                        {i.name}
                      </Link>
                      <SyncStatusBadge status={i.last_status!} />
                      <span className="text-xs text-muted-foreground">{formatDateTime(i.last_ended_at)}</span>
                    </li>
                  ))}
                </ul>
              </CardContent>
            </Card>
          ) : health.integrations.length === 0 && can(ctx, "integrations:write") ? (
            <p className="text-sm text-muted-foreground">
              No integrations yet.{" "}
              <Link href="/integrations/new" className="font-medium text-primary hover:underline">
                Connect your first application
              </Link>
              .
            </p>
          ) : null}
        </section>
      ) : null}
      {audit ? (
        <Card>
          <CardHeader>
            <CardTitle>Recent activity</CardTitle>
            <CardDescription>The latest entries of the Audit Log.</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-3">
            {audit.events.length ? (
              <ul className="grid gap-2">
                {audit.events.map((e) => (
                  <li key={e.id} className="grid gap-0.5 text-sm sm:flex sm:items-baseline sm:gap-2">
                    <span className="shrink-0 font-mono text-xs text-muted-foreground">{formatDateTime(e.occurredAt)}</span>
                    <span className="min-w-0 break-words">
                      <span className="font-medium">{e.actorName}</span> · {e.details}
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-muted-foreground">Nothing recorded yet.</p>
            )}
            <div>
              <Button variant="outline" size="sm" asChild>
                <Link href="/admin/audit-log">Open the Audit Log</Link>
              </Button>
            </div>
          </CardContent>
        </Card>
      ) : null}
    </>
  );
}

async function PlatformOverview({ ctx }: { ctx: PlatformContext }) {
  const [tenants, events] = await Promise.all([listTenants(ctx), listPlatformAuditEvents(ctx, { limit: 5 })]);
  const active = tenants.filter((t) => t.active).length;
  return (
    <section aria-labelledby="platform-now" className="grid gap-3">
      <h2 id="platform-now" className="text-lg font-semibold">
        Tenants at a glance
      </h2>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Stat label="Active tenants" value={formatCount(active)} href="/platform/tenants" />
        <Stat label="Deactivated tenants" value={formatCount(tenants.length - active)} href="/platform/tenants" />
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Recent platform activity</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-3">
          {events.events.length ? (
            <ul className="grid gap-2">
              {events.events.map((e) => (
                <li key={e.id} className="grid gap-0.5 text-sm sm:flex sm:items-baseline sm:gap-2">
                  <span className="shrink-0 font-mono text-xs text-muted-foreground">{formatDateTime(e.occurredAt)}</span>
                  <Badge variant="secondary" className="w-fit shrink-0">
                    {PLATFORM_ACTION_LABELS[e.action as PlatformAuditAction] ?? e.action}
                  </Badge>
                  <span className="min-w-0 break-words">{e.details}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-sm text-muted-foreground">Nothing recorded yet.</p>
          )}
          <div>
            <Button variant="outline" size="sm" asChild>
              <Link href="/platform/audit-log">Open the platform audit log</Link>
            </Button>
          </div>
        </CardContent>
      </Card>
    </section>
  );
}

export default async function OverviewPage() {
  const ctx = await requireContext().catch((e) => {
    if (isAppError(e) && e.kind === "forbidden") return null;
    throw e;
  });
  const platform = await requirePlatformContext().catch((e) => {
    if (isAppError(e) && e.kind === "forbidden") return null;
    throw e;
  });
  const tenant = ctx ? await getCurrentTenant(ctx) : null;
  const links = navFor(ctx, platform !== null).filter((n) => n.href !== "/" && blurbs[n.href]);
  const description = ctx?.role
    ? `Signed in as ${ctx.actor.name}, ${ctx.role}. ${ROLE_SUMMARY[ctx.role]}`
    : platform
      ? `Signed in as ${platform.actor.name}, platform administrator. You belong to no tenant: you administer tenants and platform administrators, and read the platform audit log.`
      : "You are not a member of an active tenant. Ask an administrator to invite you.";
  return (
    <div className="grid gap-6">
      <PageHeader title={tenant ? tenant.name : platform ? "Platform" : "No tenant"} description={description} />
      {ctx ? <TenantOverview ctx={ctx} /> : null}
      {platform && !ctx ? <PlatformOverview ctx={platform} /> : null}
      {links.length ? (
        <section aria-labelledby="go-to" className="grid gap-3">
          <h2 id="go-to" className="text-lg font-semibold">
            Go to
          </h2>
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
        </section>
      ) : null}
    </div>
  );
}
