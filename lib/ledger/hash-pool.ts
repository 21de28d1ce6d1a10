/**
 * Checks batches of stored ledger entries on worker threads, so verifying a
 * million entries uses every core: each worker parses COPY lines, recomputes
 * each entry hash (the same canonical envelope as storedEntryHash), checks
 * the links inside its batch, and returns the Merkle leaf hashes. The main
 * thread only joins batches, checks the links between them and builds the
 * tree. The worker is plain JavaScript with no imports beyond node:, so it
 * runs the same under Next.js, tsx and vitest.
 */
import os from "node:os";
import { Worker } from "node:worker_threads";

export type BatchResult = {
  count: number;
  firstSeq: number;
  firstPrevHash: string;
  lastSeq: number;
  lastHash: string;
  /** Entries whose hash, link or sequence inside the batch is wrong. */
  problems: { seq: number; reason: string }[];
  /** 32 bytes per entry, in order. */
  leaves: Buffer;
};

const WORKER_SOURCE = String.raw`
const { parentPort } = require("node:worker_threads");
const crypto = require("node:crypto");
const sha256 = typeof crypto.hash === "function"
  ? (data, enc) => crypto.hash("sha256", data, enc)
  : (data, enc) => crypto.createHash("sha256").update(data).digest(enc === "buffer" ? undefined : enc);
const unescape = (f) => (f.indexOf("\\") < 0 ? f : f.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : c)));
parentPort.on("message", ({ id, tenantId, lines }) => {
  const problems = [];
  const leaves = new Uint8Array(new ArrayBuffer(lines.length * 32));
  const input = Buffer.alloc(33);
  let first = null, prevSeq = 0, prevHash = null;
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i].split("\t");
    const seq = Number(f[0]);
    const hash = f[5];
    const text = '{"createdAt":' + JSON.stringify(unescape(f[3])) + ',"kind":' + JSON.stringify(f[1]) + ',"prevHash":' + JSON.stringify(f[4]) +
      ',"record":' + unescape(f[6]) + ',"refId":' + JSON.stringify(unescape(f[2])) + ',"seq":' + seq + ',"tenantId":' + JSON.stringify(tenantId) + ',"v":1}';
    if (first === null) first = { seq, prevHash: f[4] };
    else if (seq !== prevSeq + 1) problems.push({ seq: prevSeq + 1, reason: seq > prevSeq + 1 ? "entries " + (prevSeq + 1) + "–" + (seq - 1) + " are missing: the chain jumps from " + prevSeq + " to " + seq : "entry " + seq + " appears twice" });
    else if (f[4] !== prevHash) problems.push({ seq, reason: "entry " + seq + " does not link to entry " + (seq - 1) + " (its prev_hash differs)" });
    if (sha256(text, "hex") !== hash) problems.push({ seq, reason: "entry " + seq + ": its contents do not match its hash (edited or moved)" });
    input[0] = 0;
    input.write(hash, 1, "hex");
    leaves.set(sha256(input, "buffer"), i * 32);
    prevSeq = seq;
    prevHash = hash;
  }
  parentPort.postMessage({ id, result: { count: lines.length, firstSeq: first ? first.seq : 0, firstPrevHash: first ? first.prevHash : "", lastSeq: prevSeq, lastHash: prevHash || "", problems, leaves: leaves.buffer } }, [leaves.buffer]);
});
`;

export class HashPool {
  #workers: Worker[];
  #next = 0;
  #seq = 0;
  #pending = new Map<number, { resolve: (r: BatchResult) => void; reject: (e: unknown) => void }>();

  constructor(size = Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length))) {
    this.#workers = Array.from({ length: size }, () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on("message", ({ id, result }: { id: number; result: Omit<BatchResult, "leaves"> & { leaves: ArrayBuffer } }) => {
        const waiter = this.#pending.get(id);
        this.#pending.delete(id);
        waiter?.resolve({ ...result, leaves: Buffer.from(result.leaves) });
      });
      worker.on("error", (error) => {
        for (const waiter of this.#pending.values()) waiter.reject(error);
        this.#pending.clear();
      });
      return worker;
    });
  }

  /** Checks one batch of COPY text lines (seq, kind, ref_id, created_at, prev_hash, hash, record). */
  check(tenantId: string, lines: string[]): Promise<BatchResult> {
    const id = ++this.#seq;
    const worker = this.#workers[this.#next++ % this.#workers.length];
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, tenantId, lines });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
