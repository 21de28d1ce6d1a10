import Link from "next/link";
import { BarChart } from "@/components/charts/bar-chart";
import { PageHeader } from "@/components/shell/page-header";
import { LiveRefresh } from "@/components/integrations/live-refresh";
import { SyncStatusBadge } from "@/components/integrations/sync-display";
import { RelatedLinks } from "@/components/shell/related-links";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/data/data-table";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requirePageContext } from "@/lib/auth/session";
import { getPipelineHealth } from "@/lib/syncs/health";
import { formatCount, formatDateTime } from "@/lib/format";

export const metadata = { title: "Pipeline Health" };
export const dynamic = "force-dynamic";

const when = (d: Date | null) => (d ? formatDateTime(d) : "—");

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
            <Table aria-label="Running syncs">
              <TableHeader>
                <TableRow>
                  <TableHead>Integration</TableHead>
                  <TableHead>Started</TableHead>
                  <TableHead>Progress</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {h.running.map((r) => (
                  <TableRow key={r.id}>
                    <TableCell>
                      <Link className="hover:underline" href={`/syncs/${r.id}`}>
                        {r.integration}
                      </Link>
                    </TableCell>
                    <TableCell>{when(r.started_at)}</TableCell>
                    <TableCell className="tabular-nums">
                      {formatCount(r.processed)}
                      {r.total ? ` / ${formatCount(r.total)}` : ""}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>Integrations</CardTitle>
        </CardHeader>
        <CardContent>
          <DataTable
            label="Integration health"
            columns={["Integration", "Connector", "Last run", "Last success", "Failures (24 h)"]}
            isEmpty={h.integrations.length === 0}
            empty={<>No integrations yet.</>}
            framed={false}
          >
            {h.integrations.map((i) => (
              <TableRow key={i.id}>
                <TableCell className="font-medium">
                  <Link className="hover:underline" href={`/integrations/${i.id}/syncs`}>
                    {i.name}
                  </Link>
                </TableCell>
                <TableCell className="uppercase">{i.connector}</TableCell>
                <TableCell>
                  {i.last_status ? <SyncStatusBadge status={i.last_status} /> : "Never run"}{" "}
                  <span className="text-xs text-muted-foreground">{when(i.last_ended_at)}</span>
                </TableCell>
                <TableCell>{when(i.last_success_at)}</TableCell>
                <TableCell className="tabular-nums">{formatCount(i.failures_24h)}</TableCell>
              </TableRow>
            ))}
          </DataTable>
        </CardContent>
      </Card>
    </div>
  );
}
