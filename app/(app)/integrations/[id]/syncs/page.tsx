import Link from "next/link";
import { CircleStop, FileCheck2, Pencil } from "lucide-react";
import { ConfirmActionButton } from "@/components/forms/confirm-action-button";
import { IntegrationLogo } from "@/components/integrations/integration-logo";
import { LiveRefresh } from "@/components/integrations/live-refresh";
import {
  OverdueNotice,
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
import { IntegrationSubnav } from "@/components/provisioning/account-subnav";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/data/data-table";
import { LinkedPanel } from "@/components/data/row-detail";
import { EvidencePanel } from "@/components/evidence/evidence-panel";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { orNotFound, orNull, withFilterProblem } from "@/lib/pages";
import type { ObjectType } from "@/lib/connectors/types";
import { listCursors } from "@/lib/integrations/service";
import { getSync, listSyncHistory } from "@/lib/syncs/service";
import { SavedBanner } from "@/components/integrations/saved-banner";
import { syncsWithEvidence } from "@/lib/evidence/service";
import { deleteCursorAction, requestSyncAction, resetCursorAction } from "../../actions";
import { cancelSyncAction } from "../../../syncs/actions";
import { plural } from "@/lib/format";

export const metadata = { title: "Sync History" };

type Params = { cursor?: string; saved?: string; sync?: string; evidence?: string };
type SyncRow = Awaited<ReturnType<typeof listSyncHistory>>["syncs"][number];
type Cursor = Awaited<ReturnType<typeof listCursors>>[number];

const cursorLabel = (c: Cursor) => OBJECT_TYPE_LABELS[c.objectType as ObjectType] ?? c.objectType;

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
  // The evidence panel is part of the URL (?evidence=<sync id>), so it can be linked and reloaded over this page.
  const listHref = sp.cursor ? `${path}?cursor=${encodeURIComponent(sp.cursor)}` : path;
  const evidenceHref = (syncId: string) =>
    `${path}?${new URLSearchParams({ ...(sp.cursor ? { cursor: sp.cursor } : {}), evidence: syncId })}`;
  const evidenceSync = sp.evidence ? await orNull(getSync(ctx, sp.evidence)).then((s) => (s?.integrationId === id ? s : null)) : null;
  const { id: integrationId, name, logoUploadId } = history.integration;

  return (
    <div className="grid gap-6">
      <IntegrationSubnav ctx={ctx} integrationId={id} current="syncs" />
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

      <DataTable<SyncRow>
        label="Sync history"
        rows={history.syncs}
        rowKey={(s) => s.id}
        rowClassName={() => "relative"}
        empty="No syncs yet."
        detail={{ title: (s) => `Sync ${formatTime(s.startedAt ?? s.queuedAt)}`, description: (s) => `sync ${s.id}` }}
        columns={[
          {
            id: "started",
            header: "Started At (UTC)",
            className: "w-28 font-mono text-xs whitespace-normal",
            stacked: "title",
            cell: (s) => (
              <Link href={`/syncs/${s.id}`} className="after:absolute after:inset-0 hover:underline">
                {s.startedAt ? formatTime(s.startedAt) : <span className="text-muted-foreground">Queued {formatTime(s.queuedAt)}</span>}
              </Link>
            ),
            full: (s) => (
              <Link href={`/syncs/${s.id}`} className="font-mono text-xs underline-offset-4 hover:underline">
                {s.startedAt ? formatTime(s.startedAt) : `Queued ${formatTime(s.queuedAt)}`}
              </Link>
            ),
          },
          {
            id: "ended",
            header: "Ended At (UTC)",
            priority: "2xl",
            className: "w-28 font-mono text-xs whitespace-normal",
            cell: (s) => formatTime(s.endedAt),
          },
          {
            id: "status",
            header: "Status",
            cell: (s) => (
              <div className="flex w-36 flex-col items-start gap-1.5 whitespace-normal">
                <SyncStatusBadge status={s.status} cancelling={!!s.cancelRequestedAt} />
                {s.status === "syncing" ? <SyncProgress run={s} now={now} /> : null}
                <OverdueNotice overdue={s.overdue} phase={s.phase} />
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
                    aria-label={`Cancel sync ${formatTime(s.startedAt ?? s.queuedAt)}`}
                  >
                    <CircleStop aria-hidden="true" /> Cancel
                  </ConfirmActionButton>
                ) : null}
              </div>
            ),
            full: (s) => (
              <div className="flex flex-wrap items-start gap-2">
                <SyncStatusBadge status={s.status} cancelling={!!s.cancelRequestedAt} />
                <OverdueNotice overdue={s.overdue} phase={s.phase} />
              </div>
            ),
          },
          {
            id: "message",
            header: "Message",
            // Two lines of the message in the row; the whole of it in the row's panel and the sync's page.
            className: "min-w-48 whitespace-normal text-muted-foreground",
            cell: (s) => <span className="line-clamp-2 break-words">{s.message ?? "—"}</span>,
            full: (s) => <span className="whitespace-pre-wrap">{s.message ?? "—"}</span>,
          },
          {
            id: "startedBy",
            header: "Started By",
            priority: "lg",
            cell: (s) => (
              <div className="flex flex-col items-start gap-1">
                <span className="max-w-40 truncate" title={s.startedByName}>
                  {s.startedByName}
                </span>
                <Badge variant="outline">{STARTED_BY_TYPE_LABELS[s.startedByType] ?? s.startedByType}</Badge>
              </div>
            ),
            full: (s) => (
              <>
                {s.startedByName} <Badge variant="outline">{STARTED_BY_TYPE_LABELS[s.startedByType] ?? s.startedByType}</Badge>
              </>
            ),
          },
          {
            id: "trigger",
            header: "Trigger",
            priority: "2xl",
            className: "min-w-24 text-xs whitespace-normal",
            cell: (s) => (
              <>
                {TRIGGER_LABELS[s.trigger] ?? s.trigger}
                {s.mode === "delta" ? <span className="text-muted-foreground"> · delta</span> : null}
              </>
            ),
          },
          {
            id: "evidence",
            header: "Evidence",
            stacked: "actions",
            cell: (s) =>
              mayOpenEvidence ? (
                <Button variant={withEvidence.has(s.id) ? "default" : "outline"} size="sm" className="relative z-10" asChild>
                  <Link href={evidenceHref(s.id)} scroll={false} aria-label={`Evidence for sync ${formatTime(s.startedAt ?? s.queuedAt)}`}>
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
                  aria-label={`Evidence for sync ${formatTime(s.startedAt ?? s.queuedAt)}`}
                  title="Your role cannot open audit evidence"
                >
                  <FileCheck2 aria-hidden="true" /> Evidence
                </Button>
              ),
          },
        ]}
      />

      {evidenceSync ? (
        <LinkedPanel
          key={evidenceSync.id}
          title="Audit Evidence"
          description={`Sync started ${formatTime(evidenceSync.startedAt ?? evidenceSync.queuedAt)} UTC · sync ${evidenceSync.id}`}
          closeHref={listHref}
          wide
        >
          {mayOpenEvidence ? (
            <div className="grid gap-4">
              <EvidencePanel ctx={ctx} syncId={evidenceSync.id} />
              <Link
                href={`/syncs/${evidenceSync.id}/evidence`}
                className="text-sm text-muted-foreground underline-offset-4 hover:underline"
              >
                Open as a page
              </Link>
            </div>
          ) : (
            <p className="text-sm text-muted-foreground">Your role cannot open audit evidence.</p>
          )}
        </LinkedPanel>
      ) : sp.evidence ? (
        <LinkedPanel key={sp.evidence} title="Audit Evidence" closeHref={listHref}>
          <p className="text-sm text-muted-foreground">This integration has no sync with this id.</p>
        </LinkedPanel>
      ) : null}

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
            <DataTable<Cursor>
              label="Extraction cursors"
              framed={false}
              rows={cursors}
              rowKey={(c) => c.id}
              empty="No cursors yet: they are stored after a completed sync of a connector that supports delta syncs."
              detail={{ title: (c) => `${cursorLabel(c)} cursor` }}
              columns={[
                { id: "type", header: "Object type", className: "font-medium", stacked: "title", cell: cursorLabel },
                {
                  id: "position",
                  header: "Position",
                  className: "max-w-48 truncate font-mono text-xs lg:max-w-md",
                  cell: (c) =>
                    c.position ? (
                      <span title={c.position}>{c.position}</span>
                    ) : (
                      <span className="text-muted-foreground">(reset: next sync is full)</span>
                    ),
                  full: (c) =>
                    c.position ? <span className="break-all font-mono text-xs">{c.position}</span> : "(reset: next sync is full)",
                },
                {
                  id: "updated",
                  header: "Updated (UTC)",
                  priority: "md",
                  className: "font-mono text-xs",
                  cell: (c) => formatTime(c.updatedAt),
                },
                ...(canWrite
                  ? [
                      {
                        id: "actions",
                        header: "Actions",
                        srOnlyHeader: true,
                        stacked: "actions" as const,
                        cell: (c: Cursor) => (
                          <div className="flex gap-2 sm:justify-end">
                            <ConfirmActionButton
                              action={resetCursorAction}
                              fields={{ integrationId: id, objectType: c.objectType }}
                              confirm={`Reset the ${cursorLabel(c).toLowerCase()} cursor of “${name}”? The next sync reads everything.`}
                              variant="outline"
                              aria-label={`Reset ${cursorLabel(c)} cursor`}
                            >
                              Reset
                            </ConfirmActionButton>
                            <ConfirmActionButton
                              action={deleteCursorAction}
                              fields={{ integrationId: id, objectType: c.objectType }}
                              confirm={`Delete the ${cursorLabel(c).toLowerCase()} cursor of “${name}”?`}
                              variant="destructive"
                              aria-label={`Delete ${cursorLabel(c)} cursor`}
                            >
                              Delete
                            </ConfirmActionButton>
                          </div>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
          </CardContent>
        </Card>
      ) : null}
    </div>
  );
}
