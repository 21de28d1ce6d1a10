import type { ReactNode } from "react";
import Link from "next/link";
import { ChevronLeft, CircleStop, Download } from "lucide-react";
import { ConfirmActionButton } from "@/components/forms/confirm-action-button";
import { IntegrationLogo } from "@/components/integrations/integration-logo";
import { LiveRefresh } from "@/components/integrations/live-refresh";
import {
  QueuePlace,
  STARTED_BY_TYPE_LABELS,
  SyncProgress,
  SyncStatusBadge,
  TRIGGER_LABELS,
  formatDuration,
  formatTime,
  isCancellable,
  isRunning,
} from "@/components/integrations/sync-display";
import { PageHeader } from "@/components/shell/page-header";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { DataTable } from "@/components/data/data-table";
import { FilterField, FilterForm, FilterProblem } from "@/components/data/filter-form";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { filterQuery, orNotFound, orNull, withFilterProblem } from "@/lib/pages";
import {
  OBJECT_TYPE_LABELS,
  OBJECT_TYPES,
  SYNC_COUNT_COLUMNS as COUNT_COLUMNS,
  SYNC_RECORD_OUTCOMES as OUTCOMES,
  type ObjectType,
} from "@/lib/domain/enums";
import { getIntegration } from "@/lib/integrations/service";
import { getSync, listSyncLog } from "@/lib/syncs/service";
import { cancelSyncAction, releaseHeldSyncAction } from "../actions";
import { formatCount, plural } from "@/lib/format";

export const metadata = { title: "Sync" };

const FILTER_KEYS = ["outcome", "objectType", "q"] as const;
type Params = Partial<Record<(typeof FILTER_KEYS)[number] | "after", string>>;

const OUTCOME_VARIANTS: Record<string, NonNullable<BadgeProps["variant"]>> = {
  created: "success",
  updated: "secondary",
  unchanged: "outline",
  deleted: "warning",
  skipped: "warning",
  error: "destructive",
};

type CountRow = { type: string; label: string; values: Record<(typeof COUNT_COLUMNS)[number], number> };
type LogRecord = Awaited<ReturnType<typeof listSyncLog>>["records"][number];

const query = (params: Params, extra?: Record<string, string>) => filterQuery(FILTER_KEYS, params, extra);

export default async function SyncPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Params> }) {
  const { id } = await params;
  const sp = await searchParams;
  const path = `/syncs/${id}`;
  const ctx = await requirePageContext("syncs:read", path);
  const sync = await orNotFound(getSync(ctx, id));
  // A deleted integration keeps its history; its name is then unknown here.
  const integration = can(ctx, "integrations:read") ? await orNull(getIntegration(ctx, sync.integrationId)) : null;

  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, sp[k] ?? ""])) as Record<(typeof FILTER_KEYS)[number], string>;
  const { value: log, problem } = await withFilterProblem(
    () => listSyncLog(ctx, id, { ...filters, after: sp.after }),
    () => ({ records: [], next: null }),
  );

  const running = isRunning(sync.status);
  const integrationName = integration?.name ?? "Deleted integration";
  const counts = Object.entries(sync.counts ?? {}) as [ObjectType, Record<(typeof COUNT_COLUMNS)[number], number>][];
  const totals = Object.fromEntries(COUNT_COLUMNS.map((c) => [c, counts.reduce((sum, [, row]) => sum + (row?.[c] ?? 0), 0)])) as Record<
    (typeof COUNT_COLUMNS)[number],
    number
  >;
  const countRows: CountRow[] = counts.map(([type, row]) => ({
    type,
    label: OBJECT_TYPE_LABELS[type] ?? type,
    values: Object.fromEntries(COUNT_COLUMNS.map((c) => [c, row?.[c] ?? 0])) as CountRow["values"],
  }));
  const canRelease = sync.status === "held" && can(ctx, "syncs:release");
  const canCancel = isCancellable(sync) && can(ctx, "syncs:run");

  const details: [string, ReactNode][] = [
    ["Status", <SyncStatusBadge key="s" status={sync.status} cancelling={!!sync.cancelRequestedAt} />],
    ["Mode", sync.mode === "delta" ? "Delta (changed objects only)" : "Full"],
    ["Trigger", TRIGGER_LABELS[sync.trigger] ?? sync.trigger],
    [
      "Started by",
      <span key="b">
        {sync.startedByName}{" "}
        <Badge variant="outline" className="ml-1">
          {STARTED_BY_TYPE_LABELS[sync.startedByType] ?? sync.startedByType}
        </Badge>
      </span>,
    ],
    ["Queued at (UTC)", formatTime(sync.queuedAt)],
    ["Started at (UTC)", formatTime(sync.startedAt)],
    ["Ended at (UTC)", formatTime(sync.endedAt)],
    [
      "Duration",
      running && sync.startedAt ? `${formatDuration(sync.startedAt, new Date())} so far` : formatDuration(sync.startedAt, sync.endedAt),
    ],
  ];
  if (sync.releasedByName) details.push(["Released by", sync.releasedByName]);
  if (sync.cancelledByName) details.push([sync.status === "cancelled" ? "Cancelled by" : "Cancel requested by", sync.cancelledByName]);
  // A run that stopped early says how far it had read; its counts cover only what it staged.
  if ((sync.status === "cancelled" || sync.status === "error") && sync.processed > 0) {
    details.push(["Records read", `${formatCount(sync.processed)}${sync.total ? ` of ${formatCount(sync.total)}` : ""}`]);
  }
  if (sync.attempts > 1) details.push(["Attempts", String(sync.attempts)]);

  return (
    <div className="grid gap-6">
      <div>
        <Link
          href={integration ? `/integrations/${sync.integrationId}/syncs` : "/integrations"}
          className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground"
        >
          <ChevronLeft aria-hidden="true" className="size-4" /> {integration ? `Sync History of ${integration.name}` : "Integrations"}
        </Link>
      </div>
      <PageHeader
        className="mb-0"
        title={
          <span className="flex items-center gap-3">
            <IntegrationLogo integrationId={integration?.id} logoUploadId={integration?.logoUploadId} name={integrationName} size={28} />
            <span>Sync of {integrationName}</span>
          </span>
        }
        description={`Started ${formatTime(sync.startedAt ?? sync.queuedAt)} UTC · sync ${sync.id}`}
        actions={
          <>
            <LiveRefresh active={running} />
            {canCancel ? (
              <ConfirmActionButton
                action={cancelSyncAction}
                fields={{ syncId: sync.id }}
                confirmLabel="Cancel sync"
                dismissLabel="Keep it running"
                variant="outline"
                confirm={
                  sync.status === "syncing"
                    ? "Cancel this running sync? It stops within seconds and nothing of it is applied."
                    : `Cancel this ${sync.status} sync? Nothing of it is applied.`
                }
              >
                <CircleStop aria-hidden="true" /> Cancel sync
              </ConfirmActionButton>
            ) : null}
            {canRelease ? (
              <ConfirmActionButton
                action={releaseHeldSyncAction}
                fields={{ syncId: sync.id }}
                confirm="Release this held run? Its extracted data replaces the integration's current data, including the drop that held it."
              >
                Release held run
              </ConfirmActionButton>
            ) : null}
          </>
        }
      />

      {sync.status === "held" ? (
        <Alert variant="warning">
          <AlertTitle>This run is held</AlertTitle>
          <AlertDescription>
            A safety guard stopped it before its data was applied; the integration&apos;s current data is unchanged.
            {canRelease ? " Review the counts and the Sync Log, then release it to apply the data." : " An admin can release it."}
            {canCancel ? " Cancel it to end it without applying anything." : ""}
          </AlertDescription>
        </Alert>
      ) : null}

      <Card>
        <CardHeader>
          <CardTitle>Details</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4">
          <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2 lg:grid-cols-4">
            {details.map(([label, value]) => (
              <div key={label} className="grid gap-1">
                <dt className="text-xs font-medium tracking-wide text-muted-foreground uppercase">{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          {sync.status === "syncing" || sync.status === "queued" ? (
            <div className="grid gap-1 text-sm">
              <span className="text-xs font-medium tracking-wide text-muted-foreground uppercase">
                {sync.status === "queued" ? "Queue" : "Progress"}
              </span>
              {sync.status === "syncing" ? (
                <SyncProgress run={sync} className="max-w-md text-sm" />
              ) : (
                <QueuePlace queue={sync.queue} className="text-sm" />
              )}
            </div>
          ) : null}
          <div className="grid gap-1 text-sm">
            <span className="text-xs font-medium tracking-wide text-muted-foreground uppercase">Message</span>
            <p className="break-words whitespace-pre-wrap">{sync.message ?? "—"}</p>
          </div>
        </CardContent>
      </Card>

      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>Counts</CardTitle>
          <CardDescription>Per object type: what the source gave and what the sync did with it.</CardDescription>
        </CardHeader>
        <CardContent>
          <DataTable<CountRow>
            label="Counts"
            framed={false}
            rows={countRows}
            rowKey={(r) => r.type}
            footer={countRows.length > 1 ? { type: "Total", label: "Total", values: totals } : undefined}
            empty={running ? "Counts appear when the sync has extracted its data." : "No counts were recorded for this sync."}
            columns={[
              { id: "type", header: "Object type", className: "font-medium", stacked: "title", cell: (r) => r.label },
              ...COUNT_COLUMNS.map((c) => ({
                id: c,
                header: c,
                align: "right" as const,
                cell: (r: CountRow) =>
                  c === "errors" && r.values[c] ? (
                    <span className="text-destructive">{formatCount(r.values[c])}</span>
                  ) : (
                    formatCount(r.values[c])
                  ),
              })),
            ]}
          />
        </CardContent>
      </Card>

      <section aria-labelledby="sync-log" className="grid min-w-0 gap-4">
        <div className="flex flex-wrap items-end justify-between gap-3">
          <div className="grid gap-1">
            <h2 id="sync-log" className="text-lg font-semibold">
              Sync Log
            </h2>
            <p className="text-sm text-muted-foreground">One row per record: what the sync did with it and why.</p>
          </div>
          <Button variant="outline" size="sm" asChild>
            <a href={`/api/syncs/${sync.id}/log${query(sp)}`} download>
              <Download aria-hidden="true" /> Export CSV
            </a>
          </Button>
        </div>

        <FilterForm label="Sync Log filters" resetHref={path}>
          <FilterField label="Outcome" htmlFor="outcome">
            <NativeSelect id="outcome" name="outcome" defaultValue={filters.outcome} className="w-full">
              <NativeSelectOption value="">All outcomes</NativeSelectOption>
              {OUTCOMES.map((o) => (
                <NativeSelectOption key={o} value={o}>
                  {o}
                </NativeSelectOption>
              ))}
            </NativeSelect>
          </FilterField>
          <FilterField label="Object type" htmlFor="objectType">
            <NativeSelect id="objectType" name="objectType" defaultValue={filters.objectType} className="w-full">
              <NativeSelectOption value="">All object types</NativeSelectOption>
              {OBJECT_TYPES.map((t) => (
                <NativeSelectOption key={t} value={t}>
                  {OBJECT_TYPE_LABELS[t]}
                </NativeSelectOption>
              ))}
            </NativeSelect>
          </FilterField>
          <FilterField label="Name or external id" htmlFor="q">
            <Input id="q" name="q" type="search" placeholder="Contains…" defaultValue={filters.q} />
          </FilterField>
        </FilterForm>

        <FilterProblem message={problem?.message} />

        <DataTable<LogRecord>
          label="Sync log"
          rows={log.records}
          rowKey={(r) => String(r.id)}
          empty={running ? "Records appear here as the sync applies its data." : "No records match these filters."}
          detail={{ title: (r) => r.name ?? r.externalId }}
          columns={[
            {
              id: "type",
              header: "Object type",
              priority: "md",
              cell: (r) => OBJECT_TYPE_LABELS[r.objectType as ObjectType] ?? r.objectType,
            },
            {
              id: "name",
              header: "Name and external id",
              stacked: "title",
              // Names wrap so they read in full; the external id is in the panel, the CSV and the API.
              className: "max-w-56 min-w-40 whitespace-normal sm:max-w-80 lg:max-w-96",
              cell: (r) => (
                <>
                  <div className="break-words">{r.name ?? <span className="text-muted-foreground">No name</span>}</div>
                  <div className="truncate font-mono text-xs text-muted-foreground" title={r.externalId}>
                    <span className="font-sans md:hidden">{OBJECT_TYPE_LABELS[r.objectType as ObjectType] ?? r.objectType} · </span>
                    {r.externalId}
                  </div>
                </>
              ),
              full: (r) => (
                <>
                  <div className="break-words">{r.name ?? <span className="text-muted-foreground">No name</span>}</div>
                  <div className="font-mono text-xs break-all text-muted-foreground">{r.externalId}</div>
                </>
              ),
            },
            {
              id: "outcome",
              header: "Outcome",
              cell: (r) => <Badge variant={OUTCOME_VARIANTS[r.outcome] ?? "outline"}>{r.outcome}</Badge>,
            },
            {
              id: "reason",
              header: "Reason",
              className: "min-w-48 whitespace-normal text-muted-foreground",
              cell: (r) => <span className="line-clamp-2 break-words">{r.reason ?? "—"}</span>,
              full: (r) => <span className="whitespace-pre-wrap">{r.reason ?? "—"}</span>,
            },
          ]}
        />

        <KeysetPager
          label="Sync Log pagination"
          summary={`${plural(log.records.length, "record")} on this page (100 per page)`}
          firstHref={sp.after ? `${path}${query(sp)}` : null}
          nextHref={log.next ? `${path}${query(sp, { after: log.next })}` : null}
        />
      </section>
    </div>
  );
}
