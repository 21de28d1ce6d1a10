/**
 * Batch provisioning: an uploaded CSV of operations becomes one task per good
 * row (source manual, linked to the batch and its line); bad rows are kept on
 * the batch with their line and reason. A file that is not a CSV of
 * operations is refused whole, and then nothing is stored.
 */
import "server-only";
import { parse as parseSync } from "csv-parse/sync";
import { getDb } from "@/db/client";
import { getIntegration, listIntegrations } from "@/db/queries/integrations";
import * as queries from "@/db/queries/provisioning";
import { recordAuditEvent } from "@/lib/audit/service";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { sniffCsv } from "@/lib/connectors/csv";
import { sha256Hex } from "@/lib/crypto/hash";
import { PROVISIONING_ACTIONS, PROVISIONING_FINISHED_STATUSES, PROVISIONING_STATUSES, type ProvisioningStatus } from "@/lib/domain/enums";
import { AppError } from "@/lib/errors";
import { asSentence, plural } from "@/lib/format";
import { isUuid, validationError } from "@/lib/validation";
import {
  BATCH_ATTRIBUTE_COLUMNS,
  BATCH_COLUMNS,
  MAX_BATCH_BYTES,
  MAX_BATCH_ROWS,
  REQUIRED_BATCH_COLUMNS,
  type BatchColumn,
} from "./batch-format";
import { enqueueTasks, requireProvisioningEnabled, type TaskInput } from "./internal";
import { manualOperationSchema, type ManualOperation } from "./schemas";

/** Rows per insert: a task row has about 30 columns and Postgres takes at most 65,535 parameters. */
const INSERT_CHUNK = 1000;

export type BatchFile = { name: string; bytes: Uint8Array };

const notFound = (): never => {
  throw new AppError("not_found:integration", "No such integration.");
};
const batchNotFound = (): never => {
  throw new AppError("not_found:provisioning_batch", "No such provisioning batch.");
};
const badFile = (name: string, reason: string) =>
  new AppError("unprocessable:batch_file", asSentence(`“${name}” cannot be used: ${reason}`), { file: [reason] });

/** Where a manual operation's field comes from in the file, so a row's reason names its column. */
const COLUMN_OF: Record<string, BatchColumn> = {
  action: "action",
  "account.username": "username",
  "account.externalId": "external_id",
  group: "group",
  "group.externalId": "group",
  "group.name": "group_name",
  expiresAt: "expires_at",
  "attributes.username": "username",
  ...Object.fromEntries(Object.entries(BATCH_ATTRIBUTE_COLUMNS).map(([column, field]) => [`attributes.${field}`, column as BatchColumn])),
};

function columnOf(path: PropertyKey[]): string {
  const key = path.map(String).join(".");
  return COLUMN_OF[key] ?? COLUMN_OF[path.map(String)[0]] ?? key;
}

/** Reads the whole file as UTF-8 CSV with a header naming known columns, or refuses it with the reason. */
function readRows(file: BatchFile): { header: string[]; rows: { line: number; values: string[] }[] } {
  const name = file.name || "the file";
  if (file.bytes.byteLength > MAX_BATCH_BYTES) {
    throw badFile(name, `it is larger than ${MAX_BATCH_BYTES / (1024 * 1024)} MiB; split it into several batches`);
  }
  const sniff = sniffCsv(file.bytes.subarray(0, 64 * 1024));
  if (!sniff.ok) throw badFile(name, sniff.reason);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(file.bytes).replace(/^\uFEFF/, "");
  } catch {
    throw badFile(name, "it is not UTF-8 text; save it as CSV UTF-8");
  }
  if (text.includes("\u0000")) throw badFile(name, "the file is binary (it contains NUL bytes)");
  const header = sniff.headers.map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !(BATCH_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) {
    throw badFile(
      name,
      `the header names ${unknown.map((h) => `"${h}"`).join(", ")}, which is not a column of a batch; the columns are ${BATCH_COLUMNS.join(", ")}`,
    );
  }
  const missing = REQUIRED_BATCH_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw badFile(name, `the header has no ${missing.map((c) => `"${c}"`).join(" or ")} column`);
  const firstLine = text.split(/\r\n|\n|\r/, 1)[0];
  const delimiter = [",", ";", "\t", "|"].reduce((best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best), ",");
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseSync(text, {
      delimiter,
      from_line: 2,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw badFile(name, `it is not valid CSV${line ? ` at line ${line}` : ""}: ${(error as Error).message}`);
  }
  if (records.length === 0) throw badFile(name, "it has a header but no rows");
  if (records.length > MAX_BATCH_ROWS) {
    throw badFile(name, `it has ${records.length.toLocaleString("en")} rows; a batch takes at most ${MAX_BATCH_ROWS.toLocaleString("en")}`);
  }
  return { header, rows: records.map((r) => ({ line: r.info.lines, values: r.record })) };
}

/** "2027-01-31" is the start of that day in UTC; a full date-time is taken as written. */
function expiry(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
}

/** One row as the manual operation it asks for (not yet validated). */
function operationOf(integrationId: string, row: Partial<Record<BatchColumn, string>>) {
  const action = (row.action ?? "").toLowerCase();
  const op: Record<string, unknown> = {
    integrationId,
    action,
    account: { username: row.username ?? "", externalId: row.external_id || undefined },
  };
  if (row.group || row.group_name) op.group = { externalId: row.group ?? "", name: row.group_name || null };
  if (row.expires_at) op.expiresAt = expiry(row.expires_at);
  if (action === "create" || action === "update") {
    const attributes: Record<string, string> = {};
    for (const [column, field] of Object.entries(BATCH_ATTRIBUTE_COLUMNS)) {
      const value = row[column as BatchColumn];
      if (value) attributes[field] = value;
    }
    if (action === "create" && row.username) attributes.username = row.username;
    if (Object.keys(attributes).length) op.attributes = attributes;
  }
  return op;
}

function taskInputOf(op: ManualOperation, batch: { id: string; line: number }): TaskInput {
  const { integrationId, action, account, expiresAt, ...parameters } = op;
  return { integrationId, action, account, parameters, source: "manual", batch, expiresAt: expiresAt ?? null };
}

/**
 * Creates a batch from an uploaded CSV: refuses a file that is not one, then
 * queues one task per good row and records the bad ones, in one transaction
 * with its audit event.
 */
export async function createBatch(ctx: ServiceContext, input: { integrationId: unknown; file: BatchFile | null | undefined }) {
  authorize(ctx, "provisioning:write");
  if (!isUuid(input.integrationId)) throw validationError({ integrationId: ["Choose the integration the batch provisions"] });
  const integrationId = input.integrationId;
  if (!input.file || input.file.bytes.byteLength === 0) {
    throw validationError({ file: ["Choose a CSV file of operations"] });
  }
  const file = input.file;
  const db = getDb();
  // Refuse the obvious before reading the file: an integration that is not there or not provisioned.
  const found = (await getIntegration(db, ctx.tenantId, integrationId)) ?? notFound();
  await requireProvisioningEnabled(db, ctx.tenantId, found);
  const { header, rows } = readRows(file);

  const rejected: { line: number; reason: string }[] = [];
  const good: { line: number; op: ManualOperation }[] = [];
  for (const { line, values } of rows) {
    if (values.length !== header.length) {
      rejected.push({ line, reason: `Has ${values.length} columns; the header has ${header.length}.` });
      continue;
    }
    const row = Object.fromEntries(header.map((h, i) => [h, values[i]])) as Partial<Record<BatchColumn, string>>;
    const parsed = manualOperationSchema.safeParse(operationOf(integrationId, row));
    if (parsed.success) good.push({ line, op: parsed.data });
    else {
      const reasons = parsed.error.issues.map((i) =>
        i.path[0] === "action"
          ? `action: "${row.action ?? ""}" is not one of ${PROVISIONING_ACTIONS.join(", ")}`
          : i.path.length
            ? `${columnOf(i.path)}: ${i.message}`
            : i.message,
      );
      // Column names stay as the file spells them, so the reason is not capitalised.
      const reason = [...new Set(reasons)].join("; ");
      rejected.push({ line, reason: /[.!?]$/.test(reason) ? reason : `${reason}.` });
    }
  }

  if (good.length === 0) {
    // A batch of nothing but refused rows would only be clutter: the file goes back with its reasons.
    const shown = rejected.slice(0, 10).map((r) => `line ${r.line}: ${r.reason}`);
    const more = rejected.length > shown.length ? ` (and ${plural(rejected.length - shown.length, "more row")})` : "";
    throw badFile(file.name || "the file", `no row can be used; ${shown.join(" ")}${more}`);
  }

  return db.transaction(async (tx) => {
    const integration = (await getIntegration(tx, ctx.tenantId, integrationId, { lock: true })) ?? notFound();
    await requireProvisioningEnabled(tx, ctx.tenantId, integration);
    const batch = await queries.insertBatch(tx, {
      tenantId: ctx.tenantId,
      integrationId: integration.id,
      fileName: (file.name || "batch.csv").slice(0, 255),
      fileSha256: sha256Hex(Buffer.from(file.bytes)),
      rows: rows.length,
      taskCount: good.length,
      rejected,
      createdById: ctx.actor.id ?? null,
      createdByName: ctx.actor.name,
      createdByType: ctx.actor.type,
    });
    for (let i = 0; i < good.length; i += INSERT_CHUNK) {
      await enqueueTasks(
        tx,
        ctx,
        good.slice(i, i + INSERT_CHUNK).map((g) => taskInputOf(g.op, { id: batch.id, line: g.line })),
      );
    }
    await recordAuditEvent(tx, ctx, {
      entityType: "ProvisioningBatch",
      action: "Create",
      entityId: batch.id,
      entityName: batch.fileName,
      details: `Queued ${plural(good.length, "task")} on "${integration.name}" from "${batch.fileName}"${rejected.length ? `; ${plural(rejected.length, "row")} refused` : ""}`,
      after: {
        integration: integration.name,
        file: batch.fileName,
        sha256: batch.fileSha256,
        rows: rows.length,
        tasks: good.length,
        rejected: rejected.length,
      },
    });
    return { id: batch.id, rows: rows.length, taskCount: good.length, rejected };
  });
}

/** A batch with its progress: how many of its tasks are in each status, and how many have finished. */
export async function getBatch(ctx: ServiceContext, id: string) {
  authorize(ctx, "provisioning:read");
  if (!isUuid(id)) batchNotFound();
  const db = getDb();
  const batch = (await queries.getBatch(db, ctx.tenantId, id)) ?? batchNotFound();
  const integration = await getIntegration(db, ctx.tenantId, batch.integrationId, { includeDeleted: true });
  const counts = await queries.batchStatusCounts(db, ctx.tenantId, batch.id);
  const byStatus = Object.fromEntries(PROVISIONING_STATUSES.map((s) => [s, counts[s] ?? 0])) as Record<ProvisioningStatus, number>;
  // Finished for the progress bar: ended one way or another, so nothing more happens without someone acting.
  const settled: ProvisioningStatus[] = [...PROVISIONING_FINISHED_STATUSES, "confirmed", "cancelled", "superseded"];
  const done = settled.reduce((n, s) => n + byStatus[s], 0);
  return {
    ...batch,
    integrationName: integration?.name ?? "(deleted integration)",
    counts: byStatus,
    progress: { done, total: batch.taskCount, running: byStatus.pending + byStatus.running > 0 },
  };
}
export type BatchView = Awaited<ReturnType<typeof getBatch>>;

/** The newest batches of the tenant. */
export async function listBatches(ctx: ServiceContext, limit = 50) {
  authorize(ctx, "provisioning:read");
  return queries.listBatches(getDb(), ctx.tenantId, limit);
}

/** The integrations a batch can target, each with whether its provisioning is on. */
export async function batchTargets(ctx: ServiceContext) {
  authorize(ctx, "provisioning:write");
  const db = getDb();
  const [all, enabled] = await Promise.all([listIntegrations(db, ctx.tenantId), queries.enabledIntegrationIds(db, ctx.tenantId)]);
  return all.map((i) => ({ id: i.id, name: i.name, enabled: enabled.has(i.id) }));
}
