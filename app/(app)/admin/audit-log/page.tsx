import Link from "next/link";
import { Download } from "lucide-react";
import { PageHeader } from "@/components/shell/page-header";
import { RelatedLinks } from "@/components/shell/related-links";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { DataTable } from "@/components/data/data-table";
import { FilterField, FilterForm, FilterProblem } from "@/components/data/filter-form";
import { TableCell, TableRow } from "@/components/ui/table";
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, ENTITY_TYPE_LABELS } from "@/lib/audit/catalog";
import { listAuditEvents, listRecentActors } from "@/lib/audit/service";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { formatDateTime, plural } from "@/lib/format";
import { withFilterProblem } from "@/lib/pages";

export const metadata = { title: "Audit Log" };

const FILTER_KEYS = ["entityType", "action", "actor", "from", "to", "q"] as const;
type Params = Partial<Record<(typeof FILTER_KEYS)[number] | "cursor", string>>;

function query(params: Params, extra: Record<string, string> = {}): string {
  const out = new URLSearchParams();
  for (const k of FILTER_KEYS) if (params[k]) out.set(k, params[k]!);
  for (const [k, v] of Object.entries(extra)) out.set(k, v);
  const s = out.toString();
  return s ? `?${s}` : "";
}

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<Params> }) {
  const ctx = await requirePageContext("audit_log:read", "/admin/audit-log");
  const params = await searchParams;
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, params[k] ?? ""]));
  const { value: result, problem } = await withFilterProblem(
    () => listAuditEvents(ctx, { ...filters, cursor: params.cursor, limit: 100 }),
    () => ({ events: [], nextCursor: null }),
  );
  const actors = await listRecentActors(ctx);
  const canExport = can(ctx, "audit_log:export");

  return (
    <div className="grid gap-6">
      <PageHeader
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

      <FilterForm resetHref="/admin/audit-log" className="lg:grid-cols-7">
        <FilterField label="Entity Type" htmlFor="entityType">
          <NativeSelect id="entityType" name="entityType" defaultValue={filters.entityType}>
            <NativeSelectOption value="">All Entity Types</NativeSelectOption>
            {AUDIT_ENTITY_TYPES.map((t) => (
              <NativeSelectOption key={t} value={t}>
                {ENTITY_TYPE_LABELS[t]}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FilterField>
        <FilterField label="Action" htmlFor="action">
          <NativeSelect id="action" name="action" defaultValue={filters.action}>
            <NativeSelectOption value="">All Actions</NativeSelectOption>
            {AUDIT_ACTIONS.map((a) => (
              <NativeSelectOption key={a} value={a}>
                {a}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FilterField>
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

      <DataTable
        label="Audit events"
        columns={["Time (UTC)", "Actor", "Action", "Entity Type", "Entity Name", "Details", "IP"]}
        isEmpty={result.events.length === 0}
        empty={<>No audit events match these filters.</>}
      >
        {result.events.map((e) => (
          <TableRow key={e.id} className="relative">
            <TableCell className="whitespace-nowrap font-mono text-xs">
              <Link href={`/admin/audit-log/${e.id}`} className="after:absolute after:inset-0 hover:underline">
                {formatDateTime(e.occurredAt)}
              </Link>
            </TableCell>
            <TableCell className="max-w-48 truncate">
              {e.actorName}
              {e.actorType !== "user" ? (
                <Badge variant="outline" className="ml-2">
                  {e.actorType === "api_key" ? "API key" : "system"}
                </Badge>
              ) : null}
            </TableCell>
            <TableCell>
              <Badge variant="secondary">{e.action}</Badge>
            </TableCell>
            <TableCell>{ENTITY_TYPE_LABELS[e.entityType as keyof typeof ENTITY_TYPE_LABELS] ?? e.entityType}</TableCell>
            <TableCell className="max-w-56 truncate font-medium">{e.entityName}</TableCell>
            <TableCell className="max-w-96 truncate text-muted-foreground">{e.details}</TableCell>
            <TableCell className="font-mono text-xs">{e.ip ?? "—"}</TableCell>
          </TableRow>
        ))}
      </DataTable>

      <KeysetPager
        summary={`${plural(result.events.length, "event")} on this page (100 per page)`}
        firstHref={params.cursor ? `/admin/audit-log${query(params)}` : null}
        nextHref={result.nextCursor ? `/admin/audit-log${query(params, { cursor: result.nextCursor })}` : null}
      />
    </div>
  );
}
