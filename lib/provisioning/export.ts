/**
 * The Synchronization Logs export: every task the filters match, newest
 * first, as CSV or JSON Lines, streamed in keyset batches so memory stays flat.
 * Each export is an audit event, recorded before the first byte leaves.
 */
import "server-only";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/provisioning";
import { describeFilters, recordAuditEvent } from "@/lib/audit/service";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { csvLine, lineStream } from "@/lib/http/csv";
import { validationError } from "@/lib/validation";
import { taskFiltersSchema, type TaskFilters } from "./schemas";

const EXPORT_BATCH = 1000;

export const TASK_EXPORT_COLUMNS = [
  "id",
  "created_at",
  "integration",
  "object_type",
  "object",
  "action",
  "source",
  "status",
  "initiator_type",
  "initiated_by",
  "attempts",
  "started_at",
  "ended_at",
  "duration_ms",
  "message",
  "retry_of_id",
  "batch_id",
] as const;

type Row = queries.TaskListRow;

function exportRecord(r: Row) {
  return {
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    integration: r.integrationName,
    integrationId: r.integrationId,
    objectType: r.objectType,
    object: r.objectName,
    action: r.action,
    source: r.source,
    status: r.status,
    initiatorType: r.initiatorType,
    initiatedBy: r.initiatorName,
    attempts: r.attempts,
    startedAt: r.startedAt?.toISOString() ?? null,
    endedAt: r.endedAt?.toISOString() ?? null,
    durationMs: r.startedAt && r.endedAt ? r.endedAt.getTime() - r.startedAt.getTime() : null,
    message: r.message,
    retryOfId: r.retryOfId,
    batchId: r.batchId,
  };
}

function csvRecordLine(row: Row): string {
  const r = exportRecord(row);
  return csvLine([
    r.id,
    r.createdAt,
    r.integration,
    r.objectType,
    r.object,
    r.action,
    r.source,
    r.status,
    r.initiatorType,
    r.initiatedBy,
    r.attempts,
    r.startedAt ?? "",
    r.endedAt ?? "",
    r.durationMs ?? "",
    r.message ?? "",
    r.retryOfId ?? "",
    r.batchId ?? "",
  ]);
}

async function* iterateTasks(tenantId: string, filters: Omit<TaskFilters, "after" | "limit">): AsyncGenerator<Row> {
  let afterSeq: number | undefined;
  for (;;) {
    const rows = await queries.listTasks(getDb(), tenantId, filters, { afterSeq, limit: EXPORT_BATCH });
    yield* rows;
    if (rows.length < EXPORT_BATCH) return;
    afterSeq = rows[rows.length - 1].seq;
  }
}

/** Streams the filtered Synchronization Logs as CSV or JSON Lines; audited as ProvisioningLog Export. */
export async function exportTasks(ctx: ServiceContext, input: { format: unknown; filters: unknown }) {
  authorize(ctx, "provisioning:read");
  const format = input.format === "jsonl" ? "jsonl" : input.format === "csv" ? "csv" : null;
  if (!format) throw new AppError("bad_request:format", "format must be csv or jsonl");
  const parsed = taskFiltersSchema.safeParse(input.filters);
  if (!parsed.success) throw validationError(parsed.error, "bad_request:filters");
  const { after: _after, limit: _limit, ...filters } = parsed.data;
  const described = describeFilters(filters);
  await recordAuditEvent(getDb(), ctx, {
    entityType: "ProvisioningLog",
    action: "Export",
    entityName: "Synchronization Logs",
    details: `Exported as ${format === "csv" ? "CSV" : "JSON Lines"}${described ? ` (${described})` : " (all tasks)"}`,
  });
  const rows = iterateTasks(ctx.tenantId, filters);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return {
    filename: `synchronization-logs-${stamp}.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    body:
      format === "csv"
        ? lineStream(rows, csvRecordLine, `\uFEFF${csvLine(TASK_EXPORT_COLUMNS)}`)
        : lineStream(rows, (r) => `${JSON.stringify(exportRecord(r))}\n`),
  };
}
