import Link from "next/link";
import { Download } from "lucide-react";
import { OBJECT_TYPE_LABELS } from "@/components/integrations/connector-fields";
import { PageHeader } from "@/components/shell/page-header";
import { RelatedLinks } from "@/components/shell/related-links";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { DataTable } from "@/components/data/data-table";
import { FilterField, FilterForm, FilterProblem } from "@/components/data/filter-form";
import { requirePageContext } from "@/lib/auth/session";
import { OBJECT_TYPES, type ObjectType } from "@/lib/connectors/types";
import { formatDateTime, plural } from "@/lib/format";
import { filterQuery, withFilterProblem } from "@/lib/pages";
import { listSyncLogIntegrations, listTenantSyncLog, SYNC_LOGS_PAGE_SIZE } from "@/lib/syncs/tenant-log";

export const metadata = { title: "Sync Logs" };
export const dynamic = "force-dynamic";

const FILTER_KEYS = ["integrationId", "outcome", "objectType", "q", "from", "to"] as const;
type Params = Partial<Record<(typeof FILTER_KEYS)[number] | "before", string>>;

const OUTCOMES = ["created", "updated", "unchanged", "deleted", "skipped", "error"] as const;
const OUTCOME_VARIANTS: Record<string, NonNullable<BadgeProps["variant"]>> = {
  created: "success",
  updated: "secondary",
  unchanged: "outline",
  deleted: "warning",
  skipped: "warning",
  error: "destructive",
};

const query = (params: Params, extra?: Record<string, string>) => filterQuery(FILTER_KEYS, params, extra);

export default async function SyncLogsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const ctx = await requirePageContext("syncs:read", "/sync-logs");
  const sp = await searchParams;
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, sp[k] ?? ""])) as Record<(typeof FILTER_KEYS)[number], string>;
  const [{ value: log, problem }, integrations] = await Promise.all([
    withFilterProblem(
      () => listTenantSyncLog(ctx, { ...filters, before: sp.before }),
      () => ({ records: [], next: null }),
    ),
    listSyncLogIntegrations(ctx),
  ]);
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Sync Logs"
        meta={<RelatedLinks ctx={ctx} current="/sync-logs" />}
        description={
          <>
            What every sync did with each record, newest first, across all integrations. A sync&apos;s own log is on its page in Sync
            History.
          </>
        }
        actions={
          <Button variant="outline" size="sm" asChild>
            <a href={`/api/sync-logs/export${query(sp)}`} download>
              <Download aria-hidden="true" /> Export CSV
            </a>
          </Button>
        }
      />
      <FilterForm label="Sync Logs filters" resetHref="/sync-logs" className="lg:grid-cols-4">
        <FilterField label="Integration" htmlFor="integrationId">
          <NativeSelect id="integrationId" name="integrationId" defaultValue={filters.integrationId} className="w-full">
            <NativeSelectOption value="">All integrations</NativeSelectOption>
            {integrations.map((i) => (
              <NativeSelectOption key={i.id} value={i.id}>
                {i.name}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FilterField>
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
        <FilterField label="Sync started from" htmlFor="from">
          <Input id="from" name="from" type="date" defaultValue={filters.from} aria-invalid={!!problem?.fieldErrors?.from} />
        </FilterField>
        <FilterField label="Sync started to" htmlFor="to">
          <Input id="to" name="to" type="date" defaultValue={filters.to} aria-invalid={!!problem?.fieldErrors?.to} />
        </FilterField>
      </FilterForm>
      <FilterProblem message={problem?.message} />
      <DataTable
        label="Sync Logs"
        rows={log.records}
        rowKey={(r) => String(r.id)}
        empty={integrations.length ? "No records match these filters." : "No integrations yet: records appear here once a sync has run."}
        detail={{
          title: (r) => r.name ?? r.externalId,
          description: (r) => OBJECT_TYPE_LABELS[r.objectType as ObjectType] ?? r.objectType,
        }}
        columns={[
          {
            id: "name",
            header: "Name and external id",
            stacked: "title",
            className: "max-w-56 min-w-40 whitespace-normal sm:max-w-80 lg:max-w-96",
            cell: (r) => (
              <>
                <div className="break-words">{r.name ?? <span className="text-muted-foreground">No name</span>}</div>
                <div className="truncate font-mono text-xs text-muted-foreground" title={r.externalId}>
                  <span className="font-sans">{OBJECT_TYPE_LABELS[r.objectType as ObjectType] ?? r.objectType} · </span>
                  {r.externalId}
                </div>
              </>
            ),
            full: (r) => (
              <>
                <div className="break-words">{r.name ?? "No name"}</div>
                <div className="font-mono text-xs break-all text-muted-foreground">{r.externalId}</div>
              </>
            ),
          },
          { id: "outcome", header: "Outcome", cell: (r) => <Badge variant={OUTCOME_VARIANTS[r.outcome] ?? "outline"}>{r.outcome}</Badge> },
          {
            id: "sync",
            header: "Integration and sync",
            priority: "md",
            className: "text-sm whitespace-normal",
            cell: (r) => (
              <Link href={`/syncs/${r.syncId}`} className="hover:underline">
                {r.integrationName} · {formatDateTime(r.syncStartedAt)}
              </Link>
            ),
          },
          {
            id: "reason",
            header: "Reason",
            priority: "lg",
            className: "min-w-48 whitespace-normal break-words text-muted-foreground",
            cell: (r) => r.reason ?? "—",
          },
        ]}
      />
      <KeysetPager
        label="Sync Logs pagination"
        summary={`${plural(log.records.length, "record")} on this page (${SYNC_LOGS_PAGE_SIZE} per page)`}
        firstHref={sp.before ? `/sync-logs${query(sp)}` : null}
        nextHref={log.next ? `/sync-logs${query(sp, { before: log.next })}` : null}
      />
    </div>
  );
}
