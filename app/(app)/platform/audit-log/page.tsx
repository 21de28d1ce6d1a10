import Link from "next/link";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { DataTable } from "@/components/data/data-table";
import { FilterField, FilterForm, FilterProblem } from "@/components/data/filter-form";
import { requirePlatformPageContext } from "@/lib/auth/session";
import { formatDateTime, plural } from "@/lib/format";
import { filterQuery, withFilterProblem } from "@/lib/pages";
import { PLATFORM_ACTION_LABELS, PLATFORM_AUDIT_ACTIONS, type PlatformAuditAction } from "@/lib/platform/catalog";
import { listPlatformAuditEvents } from "@/lib/platform/audit";

export const metadata = { title: "Platform audit log" };
export const dynamic = "force-dynamic";

const FILTER_KEYS = ["action", "from", "to"] as const;
type Params = Partial<Record<(typeof FILTER_KEYS)[number] | "cursor", string>>;
const PAGE_SIZE = 50;

const query = (params: Params, extra?: Record<string, string>) => filterQuery(FILTER_KEYS, params, extra);

const actionLabel = (a: string) => PLATFORM_ACTION_LABELS[a as PlatformAuditAction] ?? a;

export default async function PlatformAuditLogPage({ searchParams }: { searchParams: Promise<Params> }) {
  const ctx = await requirePlatformPageContext("/platform/audit-log");
  const params = await searchParams;
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, params[k] ?? ""]));
  const { value: result, problem } = await withFilterProblem(
    () => listPlatformAuditEvents(ctx, { ...filters, cursor: params.cursor, limit: PAGE_SIZE }),
    () => ({ events: [], nextCursor: null }),
  );
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Platform audit log"
        description="What platform administrators did: tenants created, edited, deactivated and activated, and platform administrators granted or removed. Tenant changes also appear in that tenant's own Audit Log. Records are append-only."
        actions={
          <Button variant="outline" asChild>
            <Link href="/platform/tenants">Tenants</Link>
          </Button>
        }
      />
      <FilterForm resetHref="/platform/audit-log" className="lg:grid-cols-4">
        <FilterField label="Action" htmlFor="action">
          <NativeSelect id="action" name="action" defaultValue={filters.action} className="w-full">
            <NativeSelectOption value="">All actions</NativeSelectOption>
            {PLATFORM_AUDIT_ACTIONS.map((a) => (
              <NativeSelectOption key={a} value={a}>
                {actionLabel(a)}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FilterField>
        <FilterField label="From" htmlFor="from">
          <Input id="from" name="from" type="date" defaultValue={filters.from} aria-invalid={!!problem?.fieldErrors?.from} />
        </FilterField>
        <FilterField label="To" htmlFor="to">
          <Input id="to" name="to" type="date" defaultValue={filters.to} aria-invalid={!!problem?.fieldErrors?.to} />
        </FilterField>
      </FilterForm>
      <FilterProblem message={problem?.message} />
      <DataTable
        label="Platform audit events"
        rows={result.events}
        rowKey={(e) => e.id}
        empty={<>No platform events match these filters.</>}
        detail={{ title: (e) => `${actionLabel(e.action)} · ${e.entityName}`, description: (e) => formatDateTime(e.occurredAt) }}
        columns={[
          {
            id: "time",
            header: "Time (UTC)",
            priority: "md",
            className: "font-mono text-xs whitespace-nowrap",
            cell: (e) => formatDateTime(e.occurredAt),
          },
          {
            id: "actor",
            header: "Actor",
            priority: "lg",
            className: "max-w-56 break-all whitespace-normal",
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
          {
            id: "action",
            header: "Action",
            cell: (e) => (
              <Badge variant={e.action === "Deactivate" || e.action === "Remove" ? "destructive" : "secondary"}>
                {actionLabel(e.action)}
              </Badge>
            ),
          },
          {
            id: "details",
            header: "Details",
            stacked: "title",
            className: "min-w-0 whitespace-normal",
            cell: (e) => (
              <>
                <div className="font-medium break-words">{e.details}</div>
                {e.changes.length ? (
                  <div className="line-clamp-2 text-xs break-words text-muted-foreground">
                    {e.changes
                      .map((c) => `${c.field}: ${JSON.stringify(c.before ?? null)} → ${JSON.stringify(c.after ?? null)}`)
                      .join("; ")}
                  </div>
                ) : null}
              </>
            ),
            full: (e) => (
              <>
                <div className="break-words">{e.details}</div>
                {e.changes.map((c) => (
                  <div key={c.field} className="text-xs break-words text-muted-foreground">
                    {c.field}: {JSON.stringify(c.before ?? null)} → {JSON.stringify(c.after ?? null)}
                  </div>
                ))}
              </>
            ),
          },
          { id: "ip", header: "IP address", priority: "2xl", className: "font-mono text-xs", cell: (e) => e.ip ?? "—" },
        ]}
      />
      <KeysetPager
        summary={`${plural(result.events.length, "event")} on this page (${PAGE_SIZE} per page)`}
        firstHref={params.cursor ? `/platform/audit-log${query(params)}` : null}
        nextHref={result.nextCursor ? `/platform/audit-log${query(params, { cursor: result.nextCursor })}` : null}
      />
    </div>
  );
}
