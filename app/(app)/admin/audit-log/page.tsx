import Link from "next/link";
import { Download } from "lucide-react";
import { PageHeader } from "@/components/shell/page-header";
import { RelatedLinks } from "@/components/shell/related-links";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { Input } from "@/components/ui/input";
import { DataTable } from "@/components/data/data-table";
import { FilterField, FilterForm, FilterProblem } from "@/components/data/filter-form";
import { LinkedPanel } from "@/components/data/row-detail";
import { AuditEventDetails, auditEventTitle } from "@/components/audit/audit-event-details";
import { EntityActionFields } from "@/components/audit/entity-action-fields";
import { ENTITY_TYPE_LABELS } from "@/lib/audit/catalog";
import { getAuditEvent, listAuditEvents, listRecentActors } from "@/lib/audit/service";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { formatDateTime, plural } from "@/lib/format";
import { filterQuery, orNull, withFilterProblem } from "@/lib/pages";

export const metadata = { title: "Audit Log" };

const FILTER_KEYS = ["entityType", "action", "actor", "from", "to", "q"] as const;
type Params = Partial<Record<(typeof FILTER_KEYS)[number] | "cursor" | "event", string>>;

const query = (params: Params, extra?: Record<string, string>) => filterQuery(FILTER_KEYS, params, extra);

type AuditEvent = Awaited<ReturnType<typeof listAuditEvents>>["events"][number];

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<Params> }) {
  const ctx = await requirePageContext("audit_log:read", "/admin/audit-log");
  const params = await searchParams;
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, params[k] ?? ""]));
  const { value: result, problem } = await withFilterProblem(
    () => listAuditEvents(ctx, { ...filters, cursor: params.cursor, limit: 100 }),
    () => ({ events: [], nextCursor: null }),
  );
  const actors = await listRecentActors(ctx);
  // The event panel is part of the URL, so a link to one event opens it over the list it came from.
  const opened = params.event ? await orNull(getAuditEvent(ctx, params.event)) : null;
  const listHref = `/admin/audit-log${query(params, params.cursor ? { cursor: params.cursor } : {})}`;
  const eventHref = (id: string) => `/admin/audit-log${query(params, { ...(params.cursor ? { cursor: params.cursor } : {}), event: id })}`;
  const canExport = can(ctx, "audit_log:export");

  return (
    <div className="grid gap-6">
      <PageHeader
        className="mb-0"
        title="Audit Log"
        meta={<RelatedLinks ctx={ctx} current="/admin/audit-log" />}
        description="Administrative actions in this tenant: who did what, to which object, from where. Records are append-only."
        actions={
          canExport ? (
            <div className="flex gap-2">
              <Button variant="outline" size="sm" asChild>
                <a href={`/api/audit-log/export${query(params, { format: "csv" })}`} download>
                  <Download aria-hidden="true" /> Export CSV
                </a>
              </Button>
              <Button variant="outline" size="sm" asChild>
                <a href={`/api/audit-log/export${query(params, { format: "jsonl" })}`} download>
                  <Download aria-hidden="true" /> Export JSON Lines
                </a>
              </Button>
            </div>
          ) : null
        }
      />

      <FilterForm resetHref="/admin/audit-log">
        <EntityActionFields entityType={filters.entityType} action={filters.action} />
        <FilterField label="Actor" htmlFor="actor">
          <Input id="actor" name="actor" list="actor-options" placeholder="Email or key name" defaultValue={filters.actor} />
          <datalist id="actor-options">
            {actors.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </FilterField>
        <FilterField label="From" htmlFor="from">
          <Input id="from" name="from" type="date" defaultValue={filters.from} aria-invalid={!!problem?.fieldErrors?.from} />
        </FilterField>
        <FilterField label="To" htmlFor="to">
          <Input id="to" name="to" type="date" defaultValue={filters.to} aria-invalid={!!problem?.fieldErrors?.to} />
        </FilterField>
        <FilterField label="Search" htmlFor="q">
          <Input id="q" name="q" type="search" placeholder="Entity name or details" defaultValue={filters.q} />
        </FilterField>
      </FilterForm>

      <FilterProblem message={problem?.message} />

      <DataTable<AuditEvent>
        label="Audit events"
        rows={result.events}
        rowKey={(e) => e.id}
        rowClassName={() => "relative"}
        empty={<>No audit events match these filters.</>}
        columns={[
          {
            id: "time",
            header: "Time (UTC)",
            className: "font-mono text-xs",
            // The whole row opens the event's panel; the link carries the URL, so it can be opened in a new tab too.
            cell: (e) => (
              <Link
                href={eventHref(e.id)}
                scroll={false}
                className="after:absolute after:inset-0 hover:underline"
                aria-label={`Details of ${e.action} ${e.entityName} at ${formatDateTime(e.occurredAt)}`}
              >
                {formatDateTime(e.occurredAt)}
              </Link>
            ),
            full: (e) => (
              <Link href={eventHref(e.id)} scroll={false} className="font-mono text-xs underline-offset-4 hover:underline">
                {formatDateTime(e.occurredAt)}
              </Link>
            ),
          },
          {
            id: "actor",
            header: "Actor",
            className: "max-w-40 truncate",
            cell: (e) => (
              <>
                {e.actorName}
                {e.actorType !== "user" ? (
                  <Badge variant="outline" className="ml-2">
                    {e.actorType === "api_key" ? "API key" : "system"}
                  </Badge>
                ) : null}
              </>
            ),
          },
          { id: "action", header: "Action", cell: (e) => <Badge variant="secondary">{e.action}</Badge> },
          {
            id: "entityType",
            header: "Entity Type",
            priority: "lg",
            cell: (e) => ENTITY_TYPE_LABELS[e.entityType as keyof typeof ENTITY_TYPE_LABELS] ?? e.entityType,
          },
          {
            id: "entityName",
            header: "Entity Name",
            className: "max-w-40 truncate font-medium",
            cell: (e) => e.entityName,
            stacked: "title",
          },
          {
            id: "details",
            header: "Details",
            priority: "xl",
            className: "max-w-40 truncate text-muted-foreground",
            cell: (e) => e.details,
          },
          { id: "ip", header: "IP", priority: "2xl", className: "font-mono text-xs", cell: (e) => e.ip ?? "—" },
        ]}
      />

      {opened ? (
        <LinkedPanel key={opened.id} title={auditEventTitle(opened)} description={opened.details} closeHref={listHref} wide>
          <AuditEventDetails event={opened} />
        </LinkedPanel>
      ) : params.event ? (
        <LinkedPanel key={params.event} title="Audit event not found" closeHref={listHref}>
          <p className="text-sm text-muted-foreground">
            No audit event of this tenant has this id. It may have been linked from another tenant.
          </p>
        </LinkedPanel>
      ) : null}

      <KeysetPager
        summary={`${plural(result.events.length, "event")} on this page (100 per page)`}
        firstHref={params.cursor ? `/admin/audit-log${query(params)}` : null}
        nextHref={result.nextCursor ? `/admin/audit-log${query(params, { cursor: result.nextCursor })}` : null}
      />
    </div>
  );
}
