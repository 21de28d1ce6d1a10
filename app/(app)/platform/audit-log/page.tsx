import Link from "next/link";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { DataTable } from "@/components/data/data-table";
import { FilterField, FilterForm, FilterProblem } from "@/components/data/filter-form";
import { TableCell, TableRow } from "@/components/ui/table";
import { requirePlatformPageContext } from "@/lib/auth/session";
import { formatDateTime, plural } from "@/lib/format";
import { withFilterProblem } from "@/lib/pages";
import { PLATFORM_ACTION_LABELS, PLATFORM_AUDIT_ACTIONS, type PlatformAuditAction } from "@/lib/platform/catalog";
import { listPlatformAuditEvents } from "@/lib/platform/audit";

export const metadata = { title: "Platform audit log" };
export const dynamic = "force-dynamic";

const FILTER_KEYS = ["action", "from", "to"] as const;
type Params = Partial<Record<(typeof FILTER_KEYS)[number] | "cursor", string>>;
const PAGE_SIZE = 50;

function query(params: Params, extra: Record<string, string> = {}): string {
  const out = new URLSearchParams();
  for (const k of FILTER_KEYS) if (params[k]) out.set(k, params[k]!);
  for (const [k, v] of Object.entries(extra)) out.set(k, v);
  const s = out.toString();
  return s ? `?${s}` : "";
}

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
        columns={[
          { label: "Time (UTC)", className: "hidden md:table-cell" },
          { label: "Actor", className: "hidden lg:table-cell" },
          { label: "Action", className: "hidden sm:table-cell" },
          "Details",
        ]}
        isEmpty={result.events.length === 0}
        empty={<>No platform events match these filters.</>}
      >
        {result.events.map((e) => {
          const actor = (
            <>
              {e.actorName}
              {e.actorType !== "user" ? (
                <Badge variant="outline" className="ml-2">
                  {e.actorType === "api_key" ? "API key" : "system"}
                </Badge>
              ) : null}
            </>
          );
          const action = (
            <Badge variant={e.action === "Deactivate" || e.action === "Remove" ? "destructive" : "secondary"}>
              {actionLabel(e.action)}
            </Badge>
          );
          return (
            <TableRow key={e.id}>
              <TableCell className="hidden font-mono text-xs whitespace-nowrap md:table-cell">{formatDateTime(e.occurredAt)}</TableCell>
              <TableCell className="hidden max-w-56 break-all whitespace-normal lg:table-cell">{actor}</TableCell>
              <TableCell className="hidden sm:table-cell">{action}</TableCell>
              <TableCell className="min-w-0 whitespace-normal">
                {/* On narrow screens the columns above fold into this one. */}
                <div className="mb-1 sm:hidden">{action}</div>
                <div className="font-medium break-words">{e.details}</div>
                {e.changes.length ? (
                  <div className="text-xs break-words text-muted-foreground">
                    {e.changes
                      .map((c) => `${c.field}: ${JSON.stringify(c.before ?? null)} → ${JSON.stringify(c.after ?? null)}`)
                      .join("; ")}
                  </div>
                ) : null}
                <div className="mt-1 text-xs break-words text-muted-foreground lg:hidden">
                  <span className="font-mono md:hidden">{formatDateTime(e.occurredAt)} · </span>
                  by {actor}
                </div>
                {e.ip ? <div className="font-mono text-xs text-muted-foreground">from {e.ip}</div> : null}
              </TableCell>
            </TableRow>
          );
        })}
      </DataTable>
      <KeysetPager
        summary={`${plural(result.events.length, "event")} on this page (${PAGE_SIZE} per page)`}
        firstHref={params.cursor ? `/platform/audit-log${query(params)}` : null}
        nextHref={result.nextCursor ? `/platform/audit-log${query(params, { cursor: result.nextCursor })}` : null}
      />
    </div>
  );
}
