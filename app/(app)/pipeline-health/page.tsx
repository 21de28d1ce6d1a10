import Link from "next/link";
import { BarChart } from "@/components/charts/bar-chart";
import { PageHeader } from "@/components/shell/page-header";
import { LiveRefresh } from "@/components/integrations/live-refresh";
import { OverdueNotice, SyncStatusBadge } from "@/components/integrations/sync-display";
import { RelatedLinks } from "@/components/shell/related-links";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/data/data-table";
import { requirePageContext } from "@/lib/auth/session";
import { getPipelineHealth } from "@/lib/syncs/health";
import { formatCount, formatDateTime } from "@/lib/format";
import { PHASE_LABELS } from "@/lib/syncs/progress";

export const metadata = { title: "Pipeline Health" };
export const dynamic = "force-dynamic";

const when = (d: Date | null) => (d ? formatDateTime(d) : "—");

type Health = Awaited<ReturnType<typeof getPipelineHealth>>;
type Running = Health["running"][number];
type IntegrationHealth = Health["integrations"][number];

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Card>
      <CardHeader>
        <CardDescription>{label}</CardDescription>
        <CardTitle className="text-2xl tabular-nums">{value}</CardTitle>
        {hint ? <p className="text-xs text-muted-foreground">{hint}</p> : null}
      </CardHeader>
    </Card>
  );
}

export default async function PipelineHealthPage() {
  const ctx = await requirePageContext("syncs:read", "/pipeline-health");
  const h = await getPipelineHealth(ctx);
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Pipeline Health"
        meta={<RelatedLinks ctx={ctx} current="/pipeline-health" />}
        description="Sync queue and throughput for this tenant over the last 24 hours (times in UTC)."
        // Faster while something is queued or running, so progress moves; slower otherwise, to notice new runs.
        actions={<LiveRefresh active intervalMs={h.queue.queued + h.queue.running > 0 ? 3000 : 15000} />}
      />
      <div className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-5">
        <Stat
          label="Queue depth"
          value={formatCount(h.queue.queued)}
          hint={h.queue.held ? `${formatCount(h.queue.held)} held` : undefined}
        />
        <Stat label="Running syncs" value={formatCount(h.queue.running)} />
        <Stat label="Syncs (24 h)" value={formatCount(h.totals.syncs24h)} />
        <Stat label="Error rate (24 h)" value={`${(h.totals.errorRate * 100).toFixed(1)} %`} />
        <Stat label="Records / second" value={formatCount(Math.round(h.totals.recordsPerSecond))} hint="while syncing, last 24 h" />
      </div>
      <Card>
        <CardContent className="grid gap-6 pt-6 md:grid-cols-3">
          <BarChart
            title="Syncs per hour"
            unit="syncs finished"
            emptyText="No data: no sync finished in the last 24 hours"
            data={h.hours.map((x) => ({ label: x.hour, value: x.completed + x.failed }))}
          />
          <BarChart
            title="Records per second, by hour"
            unit="records / s"
            emptyText="No data: no records synced in the last 24 hours"
            data={h.hours.map((x) => ({ label: x.hour, value: x.seconds > 0 ? Math.round(x.records / x.seconds) : 0 }))}
          />
          <BarChart
            title="Failed syncs per hour"
            unit="syncs"
            tone="destructive"
            emptyText="No data: no sync failed in the last 24 hours"
            data={h.hours.map((x) => ({ label: x.hour, value: x.failed }))}
          />
        </CardContent>
      </Card>
      {h.running.length ? (
        <Card>
          <CardHeader>
            <CardTitle>Running now</CardTitle>
          </CardHeader>
          <CardContent>
            <DataTable<Running>
              label="Running syncs"
              framed={false}
              rows={h.running}
              rowKey={(r) => r.id}
              empty={null}
              columns={[
                {
                  id: "integration",
                  header: "Integration",
                  stacked: "title",
                  cell: (r) => (
                    <Link className="hover:underline" href={`/syncs/${r.id}`}>
                      {r.integration}
                    </Link>
                  ),
                },
                { id: "started", header: "Started", cell: (r) => when(r.started_at) },
                {
                  id: "phase",
                  header: "Phase",
                  className: "whitespace-normal",
                  cell: (r) => (
                    <div className="grid min-w-32 gap-1">
                      <span>{r.phase ? (PHASE_LABELS[r.phase] ?? r.phase) : "Starting"}</span>
                      <OverdueNotice overdue={r.overdue} phase={r.phase} />
                    </div>
                  ),
                },
                {
                  id: "progress",
                  header: "Progress",
                  align: "right",
                  cell: (r) => `${formatCount(r.processed)}${r.total ? ` / ${formatCount(r.total)}` : ""}`,
                },
              ]}
            />
          </CardContent>
        </Card>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>Integrations</CardTitle>
        </CardHeader>
        <CardContent>
          <DataTable<IntegrationHealth>
            label="Integration health"
            framed={false}
            rows={h.integrations}
            rowKey={(i) => i.id}
            empty={<>No integrations yet.</>}
            columns={[
              {
                id: "name",
                header: "Integration",
                // Long names wrap rather than push the table past its card.
                className: "font-medium whitespace-normal break-words min-w-32 max-w-64",
                stacked: "title",
                cell: (i) => (
                  <Link className="hover:underline" href={`/integrations/${i.id}/syncs`}>
                    {i.name}
                  </Link>
                ),
              },
              { id: "connector", header: "Connector", priority: "lg", className: "uppercase", cell: (i) => i.connector },
              {
                id: "lastRun",
                header: "Last run",
                className: "whitespace-normal",
                cell: (i) => (
                  <div className="flex flex-wrap items-center gap-x-1.5 gap-y-0.5">
                    {i.last_status ? <SyncStatusBadge status={i.last_status} /> : "Never run"}
                    <span className="text-xs whitespace-nowrap text-muted-foreground">{when(i.last_ended_at)}</span>
                  </div>
                ),
              },
              { id: "lastSuccess", header: "Last success", priority: "md", cell: (i) => when(i.last_success_at) },
              { id: "failures", header: "Failures (24 h)", align: "right", cell: (i) => formatCount(Number(i.failures_24h)) },
            ]}
          />
        </CardContent>
      </Card>
    </div>
  );
}
