/**
 * Bulk loading of extracted records with COPY: a sync writes hundreds of
 * thousands of rows, and COPY is the fastest way Postgres takes them in.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import type postgres from "postgres";

/** Escapes a value for COPY's text format. */
export function copyText(value: string): string {
  return value.replace(/[\\\n\r\t]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t"));
}

/** JSON with sorted keys, so equal records hash equal whatever order the source gave. */
export function stableJson(value: Record<string, unknown>): string {
  return JSON.stringify(value, Object.keys(value).sort());
}

export function recordHash(fields: Record<string, unknown>): string {
  return createHash("sha256").update(stableJson(fields)).digest("hex");
}

export type StagedRow = { objectType: string; externalId: string; fields: Record<string, string | null> };

/**
 * COPYs rows into staging on a reserved connection: postgres.js pipelines
 * queries onto busy pooled connections, and a query pipelined behind a COPY
 * (a heartbeat, another worker's claim) leaves the COPY waiting forever.
 */
export async function copyExtracted(sql: postgres.Sql, tenantId: string, syncId: string, rows: StagedRow[]) {
  if (rows.length === 0) return;
  const connection = await sql.reserve();
  try {
    const writable = await connection`
      copy extracted_objects (tenant_id, sync_execution_id, object_type, external_id, fields, hash) from stdin`.writable();
    let chunk = "";
    for (const r of rows) {
      const fields = stableJson(r.fields);
      chunk += `${tenantId}\t${syncId}\t${r.objectType}\t${copyText(r.externalId)}\t${copyText(fields)}\t${recordHash(r.fields)}\n`;
      if (chunk.length > 1 << 16) {
        if (!writable.write(chunk)) await once(writable, "drain");
        chunk = "";
      }
    }
    writable.end(chunk);
    await once(writable, "finish");
  } finally {
    connection.release();
  }
}

export type SkippedRow = { objectType: string; externalId: string; reason: string };

export async function insertSkipped(sql: postgres.Sql, tenantId: string, syncId: string, rows: SkippedRow[]) {
  if (rows.length === 0) return;
  for (let i = 0; i < rows.length; i += 5000) {
    const batch = rows.slice(i, i + 5000).map((r) => ({
      tenant_id: tenantId,
      sync_execution_id: syncId,
      object_type: r.objectType,
      external_id: r.externalId,
      outcome: "skipped",
      reason: r.reason.slice(0, 1000),
    }));
    await sql`insert into sync_records ${sql(batch)}`;
  }
}
