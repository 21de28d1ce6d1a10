/**
 * The Sync Logs page: per-record results of every sync of the tenant, newest
 * first, with a sync's Sync Log filters plus integration and date range, and
 * its CSV export (audited like a sync's).
 */
import { z } from "zod";
import { getDb } from "@/db/client";
import { listIntegrations } from "@/db/queries/integrations";
import * as queries from "@/db/queries/syncs";
import { describeFilters, recordAuditEvent } from "@/lib/audit/service";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { syncLogFiltersSchema } from "./schemas";

export type TenantSyncLogEntry = queries.TenantSyncLogEntry;

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const dateBound = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .refine((s) => !Number.isNaN(Date.parse(s)), "must be a date such as 2026-11-21")
    .optional(),
);

export const tenantSyncLogFiltersSchema = syncLogFiltersSchema
  .extend({
    integrationId: z.preprocess(blankToUndefined, z.uuid("is not an integration of this tenant").optional()),
    from: dateBound,
    to: dateBound,
  })
  .refine((f) => !f.from || !f.to || Date.parse(f.from) <= Date.parse(f.to), {
    path: ["to"],
    message: "must not be before the start date",
  });

type Filters = z.infer<typeof tenantSyncLogFiltersSchema>;

export const SYNC_LOGS_PAGE_SIZE = 100;

function toQuery(f: Filters) {
  const to = f.to ? new Date(f.to) : undefined;
  // A bare date as the upper bound means "through the end of that day".
  if (to && /^\d{4}-\d{2}-\d{2}$/.test(f.to!)) to.setUTCHours(23, 59, 59, 999);
  return {
    outcome: f.outcome,
    objectType: f.objectType,
    q: f.q,
    integrationId: f.integrationId,
    from: f.from ? new Date(f.from) : undefined,
    to,
  };
}

function parseBefore(raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new AppError("bad_request:cursor", "The page cursor is not valid; start from the first page.");
  return n;
}

/** One page, newest record first; `next` is the cursor of the page after it. */
export async function listTenantSyncLog(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "syncs:read");
  const raw = (input ?? {}) as Record<string, unknown>;
  const filters = parseInput(tenantSyncLogFiltersSchema, raw);
  const beforeId = parseBefore(raw.before);
  const rows = await queries.listTenantSyncRecords(getDb(), ctx.tenantId, {
    ...toQuery(filters),
    beforeId,
    limit: SYNC_LOGS_PAGE_SIZE + 1,
  });
  const page = rows.slice(0, SYNC_LOGS_PAGE_SIZE);
  return { records: page, next: rows.length > SYNC_LOGS_PAGE_SIZE ? String(page.at(-1)!.id) : null };
}

/** The integrations the integration filter offers. */
export async function listSyncLogIntegrations(ctx: ServiceContext) {
  authorize(ctx, "syncs:read");
  const rows = await listIntegrations(getDb(), ctx.tenantId);
  return rows.map((i) => ({ id: i.id, name: i.name }));
}

/**
 * Every matching record for CSV export. Validation happens before anything is
 * returned, so a bad filter is an error answer, not a broken download; the
 * export is an audit event.
 */
export async function exportTenantSyncLog(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "syncs:read");
  const filters = parseInput(tenantSyncLogFiltersSchema, input ?? {});
  const described = describeFilters({ ...filters });
  await recordAuditEvent(getDb(), ctx, {
    entityType: "SyncLog",
    action: "Export",
    entityId: null,
    entityName: "All syncs",
    details: `Exported the Sync Logs of all syncs as CSV${described ? ` (${described})` : ""}`,
  });
  return iterate(ctx.tenantId, filters);
}

async function* iterate(tenantId: string, filters: Filters) {
  let beforeId: number | undefined;
  for (;;) {
    const rows = await queries.listTenantSyncRecords(getDb(), tenantId, { ...toQuery(filters), beforeId, limit: 2000 });
    yield* rows;
    if (rows.length < 2000) return;
    beforeId = rows[rows.length - 1].id;
  }
}
