import Link from "next/link";
import { ChevronLeft, ScrollText } from "lucide-react";
import { DataTable } from "@/components/data/data-table";
import { LiveRefresh } from "@/components/integrations/live-refresh";
import { formatTime } from "@/components/integrations/sync-display";
import { BatchProgress } from "@/components/provisioning/batch-progress";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requirePageContext } from "@/lib/auth/session";
import { formatCount, plural } from "@/lib/format";
import { orNotFound } from "@/lib/pages";
import { getBatch } from "@/lib/provisioning/batch";

export const metadata = { title: "Batch" };

type Rejected = { line: number; reason: string };
/** A page shows this many refused rows; the API (GET /api/v1/provisioning/batches/{id}) returns them all. */
const REFUSED_SHOWN = 1000;

export default async function BatchPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await requirePageContext("provisioning:read", `/provisioning/batches/${id}`);
  const batch = await orNotFound(getBatch(ctx, id));
  const logsHref = `/provisioning?batchId=${batch.id}`;

  return (
    <div className="grid gap-6">
      <div>
        <Link href="/provisioning/batches" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
          <ChevronLeft aria-hidden="true" className="size-4" /> Batches
        </Link>
      </div>
      <PageHeader
        className="mb-0"
        title={<span className="break-all">{batch.fileName}</span>}
        description={
          <>
            Batch for {batch.integrationName}, uploaded by {batch.createdByName} at {formatTime(batch.createdAt)} UTC:{" "}
            {plural(batch.rows, "row")}, {plural(batch.taskCount, "task")} queued
            {batch.rejected.length ? `, ${plural(batch.rejected.length, "row")} refused` : ""}.
          </>
        }
        actions={
          <>
            <LiveRefresh active={batch.progress.running} />
            <Button variant="outline" size="sm" asChild>
              <Link href={logsHref}>
                <ScrollText aria-hidden="true" /> Tasks in the Synchronization Logs
              </Link>
            </Button>
          </>
        }
      />
      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>Progress</CardTitle>
          <CardDescription>
            A task is settled once it succeeded, failed, had no callback, or was confirmed, cancelled or retried.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <BatchProgress counts={batch.counts} done={batch.progress.done} total={batch.progress.total} />
        </CardContent>
      </Card>
      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>Refused rows</CardTitle>
          <CardDescription>
            {batch.rejected.length
              ? `${formatCount(batch.rejected.length)} of ${formatCount(batch.rows)} rows could not be used; nothing was sent for them. Correct them and upload them as a new batch.`
              : "Every row was used."}
          </CardDescription>
        </CardHeader>
        {batch.rejected.length ? (
          <CardContent>
            <DataTable<Rejected>
              label="Refused rows"
              framed={false}
              rows={batch.rejected.slice(0, REFUSED_SHOWN)}
              rowKey={(r) => String(r.line)}
              empty="None."
              columns={[
                { id: "line", header: "Line", stacked: "title", className: "w-20 font-mono tabular-nums", cell: (r) => r.line },
                { id: "reason", header: "Reason", className: "whitespace-normal break-words", cell: (r) => r.reason },
              ]}
            />
            {batch.rejected.length > REFUSED_SHOWN ? (
              <p className="mt-3 text-sm text-muted-foreground">
                The first {formatCount(REFUSED_SHOWN)} are shown; the API returns every one.
              </p>
            ) : null}
          </CardContent>
        ) : null}
      </Card>
    </div>
  );
}
