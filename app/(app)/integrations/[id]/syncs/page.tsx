import Link from "next/link";
import { ChevronLeft, CircleStop, FileCheck2, Pencil } from "lucide-react";
import { ConfirmActionButton } from "@/components/forms/confirm-action-button";
import { IntegrationLogo } from "@/components/integrations/integration-logo";
import { LiveRefresh } from "@/components/integrations/live-refresh";
import {
  QueuePlace,
  STARTED_BY_TYPE_LABELS,
  SyncProgress,
  SyncStatusBadge,
  TRIGGER_LABELS,
  formatTime,
  isCancellable,
  isRunning,
} from "@/components/integrations/sync-display";
import { OBJECT_TYPE_LABELS } from "@/lib/domain/enums";
import { SyncNowButton } from "@/components/integrations/sync-now-button";
import { PageHeader } from "@/components/shell/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/data/data-table";
import { TableCell, TableRow } from "@/components/ui/table";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { orNotFound, withFilterProblem } from "@/lib/pages";
import type { ObjectType } from "@/lib/connectors/types";
import { listCursors } from "@/lib/integrations/service";
import { listSyncHistory } from "@/lib/syncs/service";
import { SavedBanner } from "@/components/integrations/saved-banner";
import { syncsWithEvidence } from "@/lib/evidence/service";
import { deleteCursorAction, requestSyncAction, resetCursorAction } from "../../actions";
import { cancelSyncAction } from "../../../syncs/actions";
import { plural } from "@/lib/format";

export const metadata = { title: "Sync History" };

type Params = { cursor?: string; saved?: string; sync?: string };

export default async function SyncHistoryPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Params>;
}) {
  const { id } = await params;
  const sp = await searchParams;
  const path = `/integrations/${id}/syncs`;
  const ctx = await requirePageContext("syncs:read", path);

  // A cursor that cannot be read (edited by hand, from an older version) shows the first page instead.
  const { value: history, problem } = await orNotFound(
    withFilterProblem(
      () => listSyncHistory(ctx, id, { cursor: sp.cursor, limit: 50 }),
      () => listSyncHistory(ctx, id, { limit: 50 }),
    ),
  );
  const mayOpenEvidence = can(ctx, "evidence:read");
  const withEvidence = mayOpenEvidence
    ? await syncsWithEvidence(
        ctx,
        history.syncs.map((s) => s.id),
      )
    : new Set<string>();
  const { deleted, active } = history.integration;
  const cursors = can(ctx, "integrations:read") && !deleted ? await listCursors(ctx, id) : [];
  const canWrite = can(ctx, "integrations:write") && !deleted;
  const canRun = can(ctx, "syncs:run") && !deleted;
  // A deleted integration's held run can still be cancelled: that only ends it.
  const canCancel = can(ctx, "syncs:run");
  const running = history.syncs.some((s) => isRunning(s.status));
  const now = new Date();
  const { id: integrationId, name, logoUploadId } = history.integration;

  return (
    <div className="grid gap-6">
      <div>
        <Link href="/integrations" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
          <ChevronLeft aria-hidden="true" className="size-4" /> Integrations
        </Link>
      </div>
      <PageHeader
        className="mb-0"
        title={
          <span className="flex items-center gap-3">
            <IntegrationLogo integrationId={integrationId} logoUploadId={logoUploadId} name={name} size={28} />
            <span>{name}</span>
          </span>
        }
        description={
          <>
            Sync History: every sync execution of this integration, newest first.
            {deleted ? " This integration was deleted; its history is kept." : !active ? " This integration is deactivated." : ""}
          </>
        }
        actions={
          <>
            <LiveRefresh active={running} />
            {canWrite ? (
              <Button variant="outline" size="sm" asChild>
                <Link href={`/integrations/${id}/edit`}>
                  <Pencil aria-hidden="true" /> Edit
                </Link>
              </Button>
            ) : null}
            {canRun ? (
              <SyncNowButton
                integrationId={id}
                action={requestSyncAction}
                disabledReason={!active ? "Activate the integration to sync it" : undefined}
              />
            ) : null}
          </>
        }
      />

      {sp.saved ? <SavedBanner saved={sp.saved} run={history.syncs.find((s) => s.id === sp.sync)} /> : null}
      {problem ? (
        <Alert variant="destructive">
          <AlertDescription>{problem.message}</AlertDescription>
        </Alert>
      ) : null}

      <DataTable
        label="Sync history"
        columns={[
          "Started At (UTC)",
          // On a phone the status, with a running sync's progress, matters more; the sync's page has the end time.
          { label: "Ended At (UTC)", className: "hidden sm:table-cell" },
          "Status",
          "Message",
          "Started By",
          "Trigger",
          "Evidence",
        ]}
        isEmpty={history.syncs.length === 0}
        empty="No syncs yet."
      >
        {history.syncs.map((s) => {
          const when = formatTime(s.startedAt ?? s.queuedAt);
          return (
            <TableRow key={s.id} className="relative">
              <TableCell className="w-28 font-mono text-xs whitespace-normal">
                <Link href={`/syncs/${s.id}`} className="after:absolute after:inset-0 hover:underline">
                  {s.startedAt ? formatTime(s.startedAt) : <span className="text-muted-foreground">Queued {formatTime(s.queuedAt)}</span>}
                </Link>
              </TableCell>
              <TableCell className="hidden w-28 font-mono text-xs whitespace-normal sm:table-cell">{formatTime(s.endedAt)}</TableCell>
              <TableCell>
                <div className="flex w-36 flex-col items-start gap-1.5 whitespace-normal">
                  <SyncStatusBadge status={s.status} cancelling={!!s.cancelRequestedAt} />
                  {s.status === "syncing" ? <SyncProgress run={s} now={now} /> : null}
                  {s.status === "queued" ? <QueuePlace queue={s.queue} /> : null}
                  {canCancel && isCancellable(s) ? (
                    <ConfirmActionButton
                      action={cancelSyncAction}
                      fields={{ syncId: s.id }}
                      confirm={
                        s.status === "syncing"
                          ? `Cancel this running sync of “${name}”? It stops within seconds and nothing of it is applied.`
                          : `Cancel this ${s.status} sync of “${name}”? Nothing of it is applied.`
                      }
                      confirmLabel="Cancel sync"
                      dismissLabel="Keep it running"
                      variant="outline"
                      className="relative z-10 h-7 px-2 text-xs"
                      aria-label={`Cancel sync ${when}`}
                    >
                      <CircleStop aria-hidden="true" /> Cancel
                    </ConfirmActionButton>
                  ) : null}
                </div>
              </TableCell>
              <TableCell className="max-w-64 truncate text-muted-foreground" title={s.message ?? undefined}>
                {s.message ?? "—"}
              </TableCell>
              <TableCell>
                <div className="flex flex-col items-start gap-1">
                  <span className="max-w-48 truncate" title={s.startedByName}>
                    {s.startedByName}
                  </span>
                  <Badge variant="outline">{STARTED_BY_TYPE_LABELS[s.startedByType] ?? s.startedByType}</Badge>
                </div>
              </TableCell>
              <TableCell className="min-w-24 text-xs whitespace-normal">
                {TRIGGER_LABELS[s.trigger] ?? s.trigger}
                {s.mode === "delta" ? <span className="text-muted-foreground"> · delta</span> : null}
              </TableCell>
              <TableCell>
                {mayOpenEvidence ? (
                  <Button variant={withEvidence.has(s.id) ? "default" : "outline"} size="sm" className="relative z-10" asChild>
                    <Link href={`/syncs/${s.id}/evidence`} aria-label={`Evidence for sync ${when}`}>
                      <FileCheck2 aria-hidden="true" /> {withEvidence.has(s.id) ? "Evidence" : "No evidence"}
                    </Link>
                  </Button>
                ) : (
                  <Button
                    type="button"
                    variant="outline"
                    size="sm"
                    disabled
                    className="relative z-10"
                    aria-label={`Evidence for sync ${when}`}
                    title="Your role cannot open audit evidence"
                  >
                    <FileCheck2 aria-hidden="true" /> Evidence
                  </Button>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </DataTable>

      <KeysetPager
        summary={`${plural(history.syncs.length, "sync")} on this page (50 per page)`}
        firstHref={sp.cursor ? path : null}
        nextHref={history.nextCursor ? `${path}?cursor=${encodeURIComponent(history.nextCursor)}` : null}
      />

      {can(ctx, "integrations:read") && !deleted ? (
        <Card className="min-w-0">
          <CardHeader>
            <CardTitle>Extraction cursors</CardTitle>
            <CardDescription>
              Where the next delta sync resumes, per object type. Reset one to make the next sync read everything again; delete one to
              forget it. Both are audited.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <DataTable
              label="Extraction cursors"
              framed={false}
              columns={["Object type", "Position", "Updated (UTC)", ...(canWrite ? [{ label: "Actions", className: "text-right" }] : [])]}
              isEmpty={cursors.length === 0}
              empty="No cursors yet: they are stored after a completed sync of a connector that supports delta syncs."
            >
              {cursors.map((c) => {
                const label = OBJECT_TYPE_LABELS[c.objectType as ObjectType] ?? c.objectType;
                return (
                  <TableRow key={c.id}>
                    <TableCell className="font-medium">{label}</TableCell>
                    <TableCell className="max-w-md truncate font-mono text-xs" title={c.position}>
                      {c.position || <span className="text-muted-foreground">(reset: next sync is full)</span>}
                    </TableCell>
                    <TableCell className="font-mono text-xs">{formatTime(c.updatedAt)}</TableCell>
                    {canWrite ? (
                      <TableCell>
                        <div className="flex justify-end gap-2">
                          <ConfirmActionButton
                            action={resetCursorAction}
                            fields={{ integrationId: id, objectType: c.objectType }}
                            confirm={`Reset the ${label.toLowerCase()} cursor of “${name}”? The next sync reads everything.`}
                            variant="outline"
                            aria-label={`Reset ${label} cursor`}
                          >
                            Reset
                          </ConfirmActionButton>
                          <ConfirmActionButton
                            action={deleteCursorAction}
                            fields={{ integrationId: id, objectType: c.objectType }}
                            confirm={`Delete the ${label.toLowerCase()} cursor of “${name}”?`}
                            variant="destructive"
                            aria-label={`Delete ${label} cursor`}
                          >
                            Delete
                          </ConfirmActionButton>
                        </div>
                      </TableCell>
                    ) : null}
                  </TableRow>
                );
              })}
            </DataTable>
          </CardContent>
        </Card>
      ) : null}
    </div>
  );
}
