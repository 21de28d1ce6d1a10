/**
 * The admin audit log: the one function every module calls to record an
 * administrative action (inside the caller's transaction), and the reads and
 * exports behind /admin/audit-log and /api/v1/audit-events.
 */
import "server-only";
import ipaddr from "ipaddr.js";
import { getDb, type Executor } from "@/db/client";
import * as queries from "@/db/queries/audit-events";
import { authorize, type Actor, type RequestMeta, type ServiceContext } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { validationError } from "@/lib/validation";
import type { AuditActionOf, AuditEntityType } from "./catalog";
import { diffRecords } from "./diff";
import { auditEventFiltersSchema, auditEventListSchema, type AuditEventFilters } from "./schemas";
import { decodeCursor, encodeCursor } from "@/lib/pagination";
import { csvLine, lineStream } from "@/lib/http/csv";

export type AuditSource = { tenantId: string; actor: Actor; request: RequestMeta };

type AuditEventOf<E extends AuditEntityType> = {
  entityType: E;
  action: AuditActionOf<E>;
  entityId?: string | null;
  entityName: string;
  details: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
};
/** One audit event; its action must be one the catalog lists for its entity type. */
export type AuditEventInput<E extends AuditEntityType = AuditEntityType> = { [T in E]: AuditEventOf<T> }[E];

function normaliseIp(ip: string | null | undefined): string | null {
  if (!ip) return null;
  try {
    const parsed = ipaddr.process(ip);
    return parsed.toString();
  } catch {
    return null;
  }
}

/**
 * Records one audit event. Call it with the transaction that makes the change
 * so that the change and its record commit or fail together.
 */
export async function recordAuditEvent(tx: Executor, source: AuditSource, event: AuditEventInput) {
  return queries.insertAuditEvent(tx, {
    tenantId: source.tenantId,
    actorType: source.actor.type,
    actorId: source.actor.id ?? null,
    actorName: source.actor.name,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId ?? null,
    entityName: event.entityName,
    details: event.details,
    changes: diffRecords(event.before, event.after),
    ip: normaliseIp(source.request.ip),
    userAgent: source.request.userAgent?.slice(0, 512) ?? null,
    requestId: source.request.requestId ?? null,
  });
}

function toQuery(filters: AuditEventFilters) {
  const to = filters.to ? new Date(filters.to) : undefined;
  // A bare date as the upper bound means "through the end of that day".
  if (to && /^\d{4}-\d{2}-\d{2}$/.test(filters.to!)) to.setUTCHours(23, 59, 59, 999);
  return {
    entityType: filters.entityType,
    action: filters.action,
    actor: filters.actor,
    from: filters.from ? new Date(filters.from) : undefined,
    to,
    q: filters.q,
  };
}

export type AuditEventSummary = Awaited<ReturnType<typeof queries.listAuditEvents>>[number];

export async function listAuditEvents(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "audit_log:read");
  const parsed = auditEventListSchema.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error, "bad_request:filters");
  const { cursor, limit, ...filters } = parsed.data;
  let after: { ts: string; id: string } | undefined;
  if (cursor) {
    const decoded = decodeCursor(cursor);
    if (!decoded) throw new AppError("bad_request:cursor", "The page cursor is not valid; start from the first page.");
    after = decoded;
  }
  const rows = await queries.listAuditEvents(getDb(), ctx.tenantId, { ...toQuery(filters), after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    events: page.map(({ cursorTs: _ts, ...e }) => e),
    nextCursor: rows.length > limit && last ? encodeCursor({ ts: last.cursorTs, id: last.id }) : null,
  };
}

export async function getAuditEvent(ctx: ServiceContext, id: string) {
  authorize(ctx, "audit_log:read");
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("not_found:audit_event", "No such audit event.");
  const event = await queries.getAuditEvent(getDb(), ctx.tenantId, id);
  if (!event) throw new AppError("not_found:audit_event", "No such audit event.");
  const { searchText: _s, ...rest } = event;
  return rest;
}

export async function listRecentActors(ctx: ServiceContext) {
  authorize(ctx, "audit_log:read");
  return queries.listRecentActors(getDb(), ctx.tenantId);
}

const CSV_COLUMNS = [
  "time",
  "actor_type",
  "actor",
  "action",
  "entity_type",
  "entity_id",
  "entity_name",
  "details",
  "ip",
  "user_agent",
  "changes",
] as const;

type ExportRow = Omit<AuditEventSummary, "cursorTs">;

function exportRecord(e: ExportRow) {
  return {
    id: e.id,
    time: e.occurredAt.toISOString(),
    actorType: e.actorType,
    actor: e.actorName,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    entityName: e.entityName,
    details: e.details,
    ip: e.ip,
    userAgent: e.userAgent,
    changes: e.changes,
  };
}

const EXPORT_BATCH = 1000;

/** Every event matching the filters, newest first, fetched in keyset batches. */
async function* iterateEvents(tenantId: string, filters: AuditEventFilters): AsyncGenerator<ExportRow> {
  let after: { ts: string; id: string } | undefined;
  const query = toQuery(filters);
  for (;;) {
    const rows = await queries.listAuditEvents(getDb(), tenantId, { ...query, after, limit: EXPORT_BATCH });
    for (const { cursorTs: _ts, ...row } of rows) yield row;
    if (rows.length < EXPORT_BATCH) return;
    const last = rows[rows.length - 1];
    after = { ts: last.cursorTs, id: last.id };
  }
}

function csvRecordLine(e: ExportRow): string {
  const r = exportRecord(e);
  const cells = [
    r.time,
    r.actorType,
    r.actor,
    r.action,
    r.entityType,
    r.entityId ?? "",
    r.entityName,
    r.details,
    r.ip ?? "",
    r.userAgent ?? "",
    r.changes.length ? JSON.stringify(r.changes) : "",
  ];
  return csvLine(cells);
}

function jsonLine(e: ExportRow): string {
  return `${JSON.stringify(exportRecord(e))}\n`;
}

/**
 * Streams the filtered audit log as CSV or JSON Lines. The export is itself
 * an audit event, recorded before the first byte leaves.
 */
export async function exportAuditEvents(ctx: ServiceContext, input: { format: unknown; filters: unknown }) {
  authorize(ctx, "audit_log:export");
  const format = input.format === "jsonl" ? "jsonl" : input.format === "csv" ? "csv" : null;
  if (!format) throw new AppError("bad_request:format", "format must be csv or jsonl");
  const parsed = auditEventFiltersSchema.safeParse(input.filters);
  if (!parsed.success) throw validationError(parsed.error, "bad_request:filters");
  const filters = parsed.data;
  const described = describeFilters(filters);
  await recordAuditEvent(getDb(), ctx, {
    entityType: "AuditLog",
    action: "Export",
    entityName: "Audit Log",
    details: `Exported as ${format.toUpperCase()}${described ? ` (${described})` : " (all events)"}`,
  });
  const rows = iterateEvents(ctx.tenantId, filters);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return {
    filename: `audit-log-${stamp}.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    body: format === "csv" ? lineStream(rows, csvRecordLine, `\uFEFF${csvLine(CSV_COLUMNS)}`) : lineStream(rows, jsonLine),
  };
}

/** "key=value, …" for the filters that are set, to say in an audit event what was exported. */
export function describeFilters(filters: Record<string, unknown>): string {
  return Object.entries(filters)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}
