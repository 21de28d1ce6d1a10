/**
 * One audit event in full: who, what, from where, and the before/after of
 * each changed field. The event's own page and the Audit Log's panel show it.
 * Server-safe.
 */
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { DataTable, DetailItem, DetailList } from "@/components/data/data-table";
import { ENTITY_TYPE_LABELS } from "@/lib/audit/catalog";
import type { getAuditEvent } from "@/lib/audit/service";
import { formatDateTime } from "@/lib/format";

type AuditEvent = Awaited<ReturnType<typeof getAuditEvent>>;
type Change = AuditEvent["changes"][number];

function show(value: unknown) {
  if (value === null || value === undefined) return <span className="text-muted-foreground">—</span>;
  return <code className="break-all text-xs whitespace-pre-wrap">{typeof value === "string" ? value : JSON.stringify(value)}</code>;
}

export function auditEventTitle(event: Pick<AuditEvent, "action" | "entityName">): string {
  return `${event.action} ${event.entityName}`;
}

export function AuditEventDetails({ event }: { event: AuditEvent }) {
  const facts: [string, ReactNode][] = [
    [
      "Time (UTC)",
      <span key="t" className="font-mono text-xs">
        {formatDateTime(event.occurredAt)}
      </span>,
    ],
    ["Actor", `${event.actorName} (${event.actorType === "api_key" ? "API key" : event.actorType})`],
    ["Action", event.action],
    ["Entity Type", ENTITY_TYPE_LABELS[event.entityType as keyof typeof ENTITY_TYPE_LABELS] ?? event.entityType],
    ["Entity Name", event.entityName],
    [
      "Entity ID",
      <span key="e" className="font-mono text-xs">
        {event.entityId ?? "—"}
      </span>,
    ],
    ["Details", event.details],
    [
      "IP address",
      <span key="i" className="font-mono text-xs">
        {event.ip ?? "—"}
      </span>,
    ],
    ["User agent", event.userAgent ?? "—"],
    [
      "Request ID",
      <span key="r" className="font-mono text-xs">
        {event.requestId ?? "—"}
      </span>,
    ],
    [
      "Event ID",
      <span key="id" className="font-mono text-xs">
        {event.id}
      </span>,
    ],
  ];
  return (
    <div className="grid gap-6">
      <DetailList>
        {facts.map(([k, v]) => (
          <DetailItem key={k} label={k}>
            {v}
          </DetailItem>
        ))}
      </DetailList>
      <section aria-label="Changes" className="grid gap-2">
        <h3 className="flex items-center gap-2 text-sm font-semibold">
          Changes <Badge variant="secondary">{event.changes.length}</Badge>
        </h3>
        {event.changes.length === 0 ? (
          <p className="text-sm text-muted-foreground">This action changed no recorded fields.</p>
        ) : (
          <DataTable<Change>
            label="Field changes"
            rows={event.changes}
            rowKey={(c) => c.field}
            empty={null}
            columns={[
              { id: "field", header: "Field", cell: (c) => <span className="font-mono text-xs">{c.field}</span>, stacked: "title" },
              { id: "before", header: "Before", cell: (c) => show(c.before), className: "min-w-32 whitespace-normal" },
              { id: "after", header: "After", cell: (c) => show(c.after), className: "min-w-32 whitespace-normal" },
            ]}
          />
        )}
      </section>
    </div>
  );
}
