/**
 * Bulk loading of extracted records with COPY: a sync writes hundreds of
 * thousands of rows, and COPY is the fastest way Postgres takes them in.
 */
import "server-only";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import postgres from "postgres";
import { getConfig } from "@/lib/config";
import { sha256Hex } from "@/lib/crypto/hash";
import type { StagedOutcome } from "@/lib/domain/enums";

/** Escapes a value for COPY's text format. */
export function copyText(value: string): string {
  return value.replace(/[\\\n\r\t]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t"));
}

let lastKeys: string[] = [];
let lastSorted: string[] = [];

/**
 * JSON with sorted keys, so equal records hash equal whatever order the source gave.
 * Records of one type come with the same keys in the same order, so the sorted order is
 * worked out once per key list, and a copy with its keys in that order goes through
 * JSON.stringify's fast path (the replacer-array form is twice as slow). Integer-like
 * keys would be reordered by the copy, so they take the replacer form; the text is the
 * same either way, and so are the hashes of rows staged before.
 */
export function stableJson(value: Record<string, unknown>): string {
  const keys = Object.keys(value);
  if (keys.length !== lastKeys.length || keys.some((k, i) => k !== lastKeys[i])) {
    lastKeys = keys;
    lastSorted = [...keys].sort();
    if (lastSorted.some((k) => /^\d+$/.test(k))) lastSorted = [];
  }
  if (lastSorted.length === 0 && keys.length > 0) return JSON.stringify(value, [...keys].sort());
  const sorted: Record<string, unknown> = {};
  for (const k of lastSorted) sorted[k] = value[k];
  return JSON.stringify(sorted);
}

export type { StagedOutcome };
/** A mapped record ready for staging: its canonical JSON, the hash of that JSON, and its outcome. */
export type StagedRow = { objectType: string; externalId: string; json: string; hash: string; outcome: StagedOutcome };

export function prepareRow(objectType: string, externalId: string, fields: Record<string, string | null>): Omit<StagedRow, "outcome"> {
  const json = stableJson(fields);
  return { objectType, externalId, json, hash: sha256Hex(json) };
}

/**
 * Streams a sync's extracted rows into staging with COPY for the whole run,
 * so Postgres ingests while the connector is still reading the source. Pages
 * go to two COPY lanes in turn, so two backends take them in side by side,
 * and rows are handed over without waiting for Postgres to take them in: the
 * caller meanwhile reads, maps and compares the next ones.
 *
 * Each lane has a connection of its own, closed at the end: postgres.js must
 * not pipeline other queries behind a COPY, and a connection whose COPY
 * failed is not fit to go back to a pool. A lane's COPY lasts as long as the
 * source is read, so it runs without a statement timeout; every other
 * statement of the run keeps the one the database sets. The lanes carry the
 * run's tag as their application name, so a run ended past its maximum run
 * time has its COPYs cancelled.
 *
 * A COPY that fails (the server restarted, a row it refused) destroys its
 * stream: the error is kept on the lane and thrown by the next write or by
 * finish, never left to surface as an uncaught stream error.
 */
export class StagingWriter {
  private turn = 0;

  private constructor(
    private readonly lanes: Lane[],
    private readonly prefix: string,
  ) {}

  static async open(
    tenantId: string,
    syncId: string,
    opts: { url?: string; lanes?: number; applicationName?: string } = {},
  ): Promise<StagingWriter> {
    const url = opts.url ?? getConfig().DATABASE_URL;
    if (!url) throw new Error("StagingWriter: DATABASE_URL is not set");
    const lanes: Lane[] = [];
    try {
      for (let i = 0; i < (opts.lanes ?? 2); i++) {
        const connection = postgres(url, {
          max: 1,
          onnotice: () => {},
          connection: {
            statement_timeout: "0" as unknown as number, // a string: postgres.js drops falsy values
            ...(opts.applicationName ? { application_name: opts.applicationName } : {}),
          },
        });
        const lane: Lane = { connection, writable: null, pending: Promise.resolve(), failure: null };
        lanes.push(lane);
        lane.writable = await connection`
          copy extracted_objects (tenant_id, sync_execution_id, object_type, external_id, fields, hash, outcome) from stdin`.writable();
        lane.writable.on("error", (e) => (lane.failure ??= e));
      }
      return new StagingWriter(lanes, `${tenantId}\t${syncId}\t`);
    } catch (error) {
      await Promise.all(lanes.map((l) => l.connection.end({ timeout: 0 })));
      throw error;
    }
  }

  /** Resolves when the lane the next write goes to has taken in its previous rows. */
  ready(): Promise<void> {
    return this.lanes[this.turn % this.lanes.length].pending;
  }

  /** Hands rows to the next lane, waiting only until that lane has taken in its previous rows. */
  async write(rows: StagedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const lane = this.lanes[this.turn++ % this.lanes.length];
    await lane.pending;
    if (lane.failure) throw lane.failure;
    const chunks: string[] = [];
    let chunk = "";
    for (const r of rows) {
      chunk += `${this.prefix}${r.objectType}\t${copyText(r.externalId)}\t${copyText(r.json)}\t${r.hash}\t${r.outcome}\n`;
      if (chunk.length > 1 << 16) {
        chunks.push(chunk);
        chunk = "";
      }
    }
    if (chunk) chunks.push(chunk);
    lane.pending = push(lane, chunks);
    lane.pending.catch(() => {}); // the rejection is taken by the lane's next write or by finish
  }

  /** Ends the COPYs; the rows are in staging once this resolves. */
  async finish(): Promise<void> {
    try {
      await Promise.all(this.lanes.map((l) => l.pending));
      await Promise.all(
        this.lanes.map(async (l) => {
          if (l.failure) throw l.failure;
          l.writable!.end();
          await finished(l.writable!);
        }),
      );
    } finally {
      await Promise.all(this.lanes.map((l) => l.connection.end({ timeout: 0 })));
    }
  }

  /** Abandons the COPYs: nothing written so far is kept. */
  async abort(): Promise<void> {
    for (const l of this.lanes) l.writable?.destroy(new Error("sync stopped"));
    await Promise.all(this.lanes.map((l) => l.connection.end({ timeout: 0 })));
  }
}

type Lane = { connection: postgres.Sql; writable: Writable | null; pending: Promise<void>; failure: Error | null };

async function push(lane: Lane, chunks: string[]): Promise<void> {
  const writable = lane.writable!;
  for (const chunk of chunks) {
    if (lane.failure || writable.destroyed) throw lane.failure ?? new Error("staging stopped");
    // once() rejects if the stream fails while waiting for room.
    if (!writable.write(chunk)) await once(writable, "drain");
  }
}
