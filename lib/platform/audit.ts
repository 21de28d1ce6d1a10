/**
 * The platform's own audit log: what platform administrators did to tenants
 * and to the set of platform administrators. A tenant change is also recorded
 * in that tenant's log (its admins see that the platform changed their
 * tenant); this log is where the platform sees all of them together.
 */
import ipaddr from "ipaddr.js";
import { getDb, type Executor } from "@/db/client";
import * as queries from "@/db/queries/platform-audit-events";
import { authorizePlatform, type PlatformContext, type ServiceContext } from "@/lib/auth/context";
import { diffRecords } from "@/lib/audit/diff";
import { AppError } from "@/lib/errors";
import { decodeCursor, encodeCursor } from "@/lib/pagination";
import { validationError } from "@/lib/validation";
import type { PlatformAuditAction, PlatformAuditEntityType } from "./catalog";
import { platformAuditListSchema } from "./schemas";

export type PlatformAuditEventInput = {
  entityType: PlatformAuditEntityType;
  action: PlatformAuditAction;
  entityId?: string | null;
  entityName: string;
  tenantId?: string | null;
  details: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
};

function normaliseIp(ip: string | null | undefined): string | null {
  if (!ip) return null;
  try {
    return ipaddr.process(ip).toString();
  } catch {
    return null;
  }
}

/** Records one platform event inside the caller's transaction, so the change and its record commit together. */
export async function recordPlatformAuditEvent(tx: Executor, ctx: PlatformContext, event: PlatformAuditEventInput) {
  return queries.insertPlatformAuditEvent(tx, {
    actorType: ctx.actor.type,
    actorId: ctx.actor.id ?? null,
    actorName: ctx.actor.name,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId ?? null,
    entityName: event.entityName,
    tenantId: event.tenantId ?? null,
    details: event.details,
    changes: diffRecords(event.before, event.after),
    ip: normaliseIp(ctx.request.ip),
    userAgent: ctx.request.userAgent?.slice(0, 512) ?? null,
    requestId: ctx.request.requestId ?? null,
  });
}

export type PlatformAuditEvent = Omit<queries.PlatformAuditEventRow, never>;

/** One newest-first page of the platform log; platform administrators only. */
export async function listPlatformAuditEvents(ctx: PlatformContext | ServiceContext, input: unknown) {
  authorizePlatform(ctx);
  const parsed = platformAuditListSchema.safeParse(input ?? {});
  if (!parsed.success) throw validationError(parsed.error, "bad_request:filters");
  const { cursor, limit, action, from, to } = parsed.data;
  let after: { ts: string; id: string } | undefined;
  if (cursor) {
    const decoded = decodeCursor(cursor);
    if (!decoded) throw new AppError("bad_request:cursor", "The page cursor is not valid; start from the first page.");
    after = decoded;
  }
  const upper = to ? new Date(to) : undefined;
  // A bare date as the upper bound means "through the end of that day".
  if (upper && /^\d{4}-\d{2}-\d{2}$/.test(to!)) upper.setUTCHours(23, 59, 59, 999);
  const rows = await queries.listPlatformAuditEvents(getDb(), {
    action,
    from: from ? new Date(from) : undefined,
    to: upper,
    after,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    events: page.map(({ cursorTs: _ts, ...e }) => e),
    nextCursor: rows.length > limit && last ? encodeCursor({ ts: last.cursorTs, id: last.id }) : null,
  };
}
