/**
 * Bulk loading of extracted records with COPY: a sync writes hundreds of
 * thousands of rows, and COPY is the fastest way Postgres takes them in.
 */
import * as nodeCrypto from "node:crypto";
import { createHash } from "node:crypto";
import { once } from "node:events";
import postgres from "postgres";

/** Escapes a value for COPY's text format. */
export function copyText(value: string): string {
  return value.replace(/[\\\n\r\t]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t"));
}

/** JSON with sorted keys, so equal records hash equal whatever order the source gave. */
export function stableJson(value: Record<string, unknown>): string {
  return JSON.stringify(value, Object.keys(value).sort());
}

export function recordHash(fields: Record<string, unknown>): string {
  return sha256Hex(stableJson(fields));
}

/** crypto.hash (Node ≥ 20.12) skips the Hash object: several times faster for short inputs. */
const sha256Hex: (text: string) => string =
  typeof (nodeCrypto as { hash?: unknown }).hash === "function"
    ? (text) => (nodeCrypto as unknown as { hash(alg: string, data: string, enc: "hex"): string }).hash("sha256", text, "hex")
    : (text) => createHash("sha256").update(text).digest("hex");

export type StagedRow = { objectType: string; externalId: string; fields: Record<string, string | null> };

/**
 * Streams a sync's extracted rows into staging with one COPY for the whole
 * run, so Postgres ingests while the connector is still reading the source.
 * The COPY has a connection of its own, closed at the end: postgres.js must
 * not pipeline other queries behind a COPY, and a connection whose COPY
 * failed is not fit to go back to a pool.
 */
export class StagingWriter {
  private constructor(
    private readonly connection: postgres.Sql,
    private readonly writable: import("node:stream").Writable,
    private readonly prefix: string,
  ) {}

  static async open(tenantId: string, syncId: string, url = process.env.DATABASE_URL): Promise<StagingWriter> {
    if (!url) throw new Error("StagingWriter: DATABASE_URL is not set");
    const connection = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const writable = await connection`
        copy extracted_objects (tenant_id, sync_execution_id, object_type, external_id, fields, hash) from stdin`.writable();
      return new StagingWriter(connection, writable, `${tenantId}\t${syncId}\t`);
    } catch (error) {
      await connection.end({ timeout: 0 });
      throw error;
    }
  }

  async write(rows: StagedRow[]): Promise<void> {
    let chunk = "";
    for (const r of rows) {
      const fields = stableJson(r.fields);
      chunk += `${this.prefix}${r.objectType}\t${copyText(r.externalId)}\t${copyText(fields)}\t${sha256Hex(fields)}\n`;
      if (chunk.length > 1 << 16) {
        if (!this.writable.write(chunk)) await once(this.writable, "drain");
        chunk = "";
      }
    }
    if (chunk && !this.writable.write(chunk)) await once(this.writable, "drain");
  }

  /** Ends the COPY; the rows are in staging once this resolves. */
  async finish(): Promise<void> {
    try {
      this.writable.end();
      await once(this.writable, "finish");
    } finally {
      await this.connection.end({ timeout: 0 });
    }
  }

  /** Abandons the COPY: nothing written so far is kept. */
  async abort(): Promise<void> {
    this.writable.on("error", () => {}); // the failure being handled is the caller's, not this one
    this.writable.destroy(new Error("sync stopped"));
    await this.connection.end({ timeout: 0 });
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
