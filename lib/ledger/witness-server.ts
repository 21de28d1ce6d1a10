/**
 * A C2SP tlog-witness (c2sp.org/tlog-witness) that an auditor runs on a
 * machine the operator does not control. For each log it knows (by the log's
 * note verifier key) it keeps the last checkpoint it cosigned, and cosigns a
 * new one only when the log's signature verifies and an RFC 9162 consistency
 * proof shows the new tree extends that record: a rollback or a fork is
 * refused, so two contradicting histories can never both carry its cosignature.
 *
 * Everything lives in one data directory: the witness key (mode 0600), the
 * list of logs (`logs`, one verifier key per line) and one state file per
 * origin, each replaced atomically (temp file, fsync, rename, fsync of the
 * directory) before the cosignature is returned.
 */
import { createHash, createPrivateKey, type KeyObject } from "node:crypto";
import { mkdir, open, readFile, rename, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { hostname } from "node:os";
import path from "node:path";
import { cosign, splitNote, witnessKeyPair, witnessVerifierKey } from "./cosignature";
import { verifyConsistency } from "./merkle";
import { NoteError, openNote, parseCheckpointText, parseVerifierKey as parseLogKey } from "./note";
import { MAX_PROOF_LINES } from "./witness-client";

const KEY_FILE = "witness-key.json";
const LOGS_FILE = "logs";
const STATE_DIR = "state";
const MAX_BODY_BYTES = 64 * 1024;

export type OriginState = { origin: string; size: number; rootHash: string; note: string; cosignedAt: number };

export type Witness = {
  name: string;
  verifierKey: string;
  dir: string;
  /** The logs this witness accepts: origin → log verifier keys. Re-read from the logs file on every request. */
  logs(): Promise<Map<string, string[]>>;
  state(origin: string): Promise<OriginState | null>;
  addCheckpoint(body: string): Promise<WitnessResponse>;
};

type WitnessResponse = { status: number; body: string; contentType?: string };

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly contentType = "text/plain; charset=utf-8",
  ) {
    super(message);
  }
}

/**
 * Opens (creating on first use) a witness in `dir`. The key is generated once;
 * `name` only matters then, and must match the stored one afterwards.
 */
export async function openWitness(dir: string, opts: { name?: string; logs?: string[]; now?: () => number } = {}): Promise<Witness> {
  await mkdir(path.join(dir, STATE_DIR), { recursive: true, mode: 0o700 });
  const { name, privateKey } = await loadOrCreateKey(dir, opts.name);
  const verifierKey = witnessVerifierKey(name, privateKey);
  const cliLogs = (opts.logs ?? []).map((k) => checkLogKey(k, "--log"));
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  // One request per origin at a time: the size check and the state write must not interleave.
  const queues = new Map<string, Promise<unknown>>();

  async function logs(): Promise<Map<string, string[]>> {
    const byOrigin = new Map<string, string[]>();
    const add = (k: string) => {
      const origin = parseLogKey(k).name;
      byOrigin.set(origin, [...(byOrigin.get(origin) ?? []), k]);
    };
    cliLogs.forEach(add);
    let text = "";
    try {
      text = await readFile(path.join(dir, LOGS_FILE), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    text.split("\n").forEach((raw, i) => {
      const line = raw.trim();
      if (line && !line.startsWith("#")) add(checkLogKey(line, `${LOGS_FILE} line ${i + 1}`));
    });
    return byOrigin;
  }

  function stateFile(origin: string) {
    return path.join(dir, STATE_DIR, `${createHash("sha256").update(origin).digest("hex").slice(0, 32)}.json`);
  }

  async function state(origin: string): Promise<OriginState | null> {
    try {
      const s = JSON.parse(await readFile(stateFile(origin), "utf8")) as OriginState;
      if (s.origin !== origin) throw new Error(`the state file for ${origin} holds ${s.origin}`);
      return s;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  async function serialized<T>(origin: string, fn: () => Promise<T>): Promise<T> {
    const previous = queues.get(origin) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => {});
    queues.set(origin, tail);
    try {
      return await run;
    } finally {
      if (queues.get(origin) === tail) queues.delete(origin);
    }
  }

  async function addCheckpoint(body: string): Promise<WitnessResponse> {
    try {
      const req = parseRequest(body);
      const known = (await logs()).get(req.origin);
      if (!known) throw new Refusal(404, `this witness does not witness the log "${req.origin}"`);
      try {
        openNote(req.note, known);
      } catch (e) {
        throw new Refusal(403, `the checkpoint is not signed by a key this witness trusts for "${req.origin}": ${(e as Error).message}`);
      }
      if (req.oldSize > req.size) throw new Refusal(400, `old size ${req.oldSize} is larger than the checkpoint's size ${req.size}`);
      return await serialized(req.origin, async () => {
        const current = await state(req.origin);
        const knownSize = current?.size ?? 0;
        if (req.oldSize !== knownSize) {
          throw new Refusal(409, `${knownSize}\n`, "text/x.tlog.size");
        }
        const rootHash = req.rootHash.toString("hex");
        if (current && req.size === current.size) {
          if (rootHash !== current.rootHash) {
            throw new Refusal(409, `fork: this witness cosigned a different root for tree size ${current.size}`);
          }
          if (req.proof.length) throw new Refusal(422, "a consistency proof between equal sizes is empty");
        } else if (current && current.size > 0) {
          if (!verifyConsistency(current.size, req.size, Buffer.from(current.rootHash, "hex"), req.rootHash, req.proof)) {
            throw new Refusal(422, `the consistency proof from tree size ${current.size} to ${req.size} does not verify`);
          }
        } else if (req.proof.length) {
          throw new Refusal(422, "the consistency proof from size 0 must be empty");
        }
        // Never go back in time, even if the clock does: a later cosignature must read as later.
        const time = Math.max(now(), current?.cosignedAt ?? 0);
        const line = cosign(req.text, name, privateKey, time);
        const { lines } = splitNote(req.note);
        const kept = lines.filter((l) => !l.startsWith(`\u2014 ${name} `)).map((l) => `${l}\n`);
        const note = `${req.text}\n${kept.join("")}${line}`;
        await writeAtomically(
          stateFile(req.origin),
          JSON.stringify({ origin: req.origin, size: req.size, rootHash, note, cosignedAt: time } satisfies OriginState),
        );
        return { status: 200, body: line, contentType: "text/plain; charset=utf-8" };
      });
    } catch (e) {
      if (e instanceof Refusal)
        return { status: e.status, body: e.message.endsWith("\n") ? e.message : `${e.message}\n`, contentType: e.contentType };
      throw e;
    }
  }

  return { name, verifierKey, dir, logs, state, addCheckpoint };
}

type ParsedRequest = { oldSize: number; proof: Buffer[]; note: string; text: string; origin: string; size: number; rootHash: Buffer };

function parseRequest(body: string): ParsedRequest {
  const bad = (why: string) => new Refusal(400, `malformed add-checkpoint request: ${why}`);
  const firstEnd = body.indexOf("\n");
  const oldLine = firstEnd < 0 ? body : body.slice(0, firstEnd);
  const m = /^old (0|[1-9][0-9]*)$/.exec(oldLine);
  if (!m || !Number.isSafeInteger(Number(m[1]))) throw bad('the first line must be "old <size>"');
  const proof: Buffer[] = [];
  let at = firstEnd + 1;
  for (;;) {
    const end = body.indexOf("\n", at);
    if (end < 0) throw bad("no blank line before the checkpoint");
    const line = body.slice(at, end);
    at = end + 1;
    if (line === "") break;
    const hash = Buffer.from(line, "base64");
    if (hash.length !== 32 || hash.toString("base64") !== line) throw bad(`proof line ${proof.length + 1} is not a base64 SHA-256 hash`);
    proof.push(hash);
    if (proof.length > MAX_PROOF_LINES) throw bad(`more than ${MAX_PROOF_LINES} proof lines`);
  }
  const oldSize = Number(m[1]);
  if (oldSize === 0 && proof.length) throw new Refusal(422, "the consistency proof from size 0 must be empty");
  const note = body.slice(at);
  try {
    const { body: text } = splitNote(note);
    const cp = parseCheckpointText(text);
    return { oldSize, proof, note, text, origin: cp.origin, size: cp.treeSize, rootHash: cp.rootHash };
  } catch (e) {
    if (e instanceof NoteError) throw bad(e.message);
    throw e;
  }
}

function checkLogKey(vkey: string, where: string): string {
  try {
    parseLogKey(vkey);
    return vkey;
  } catch (e) {
    throw new Error(`${where}: "${vkey.slice(0, 80)}" is not a log verifier key: ${(e as Error).message}`);
  }
}

async function loadOrCreateKey(dir: string, wantedName?: string): Promise<{ name: string; privateKey: KeyObject }> {
  const file = path.join(dir, KEY_FILE);
  try {
    const stored = JSON.parse(await readFile(file, "utf8")) as { name: string; privateKeyPem: string };
    if (wantedName && wantedName !== stored.name) {
      throw new Error(
        `this data directory's witness is named "${stored.name}", not "${wantedName}"; a witness keeps its name and key for life`,
      );
    }
    return { name: stored.name, privateKey: createPrivateKey(stored.privateKeyPem) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const name =
    wantedName ??
    `${hostname()
      .toLowerCase()
      .replace(/[^a-z0-9.-]/g, "-")}/syncledger-witness`;
  witnessVerifierKey(name, Buffer.alloc(32)); // validates the name before a key is written under it
  const kp = witnessKeyPair();
  // "wx": two witnesses started on one directory at once must not each write a key.
  await writeFile(file, JSON.stringify({ name, privateKeyPem: kp.privateKeyPem }), { mode: 0o600, flag: "wx" });
  await fsyncDir(dir);
  return { name, privateKey: kp.privateKey };
}

async function writeAtomically(file: string, content: string) {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(temp, "w", 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  await fsyncDir(path.dirname(file));
}

async function fsyncDir(dir: string) {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The HTTP face of a witness: POST /add-checkpoint, GET /checkpoint?origin=…, GET / (its verifier key). */
export function createWitnessServer(witness: Witness, opts: { log?: (line: string) => void } = {}): Server {
  const log = opts.log ?? (() => {});
  return createServer((req, res) => {
    handle(witness, req, res, log).catch((e) => {
      log(`error: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, "the witness failed to handle the request\n");
      else res.end();
    });
  });
}

async function handle(witness: Witness, req: IncomingMessage, res: ServerResponse, log: (line: string) => void) {
  const url = new URL(req.url ?? "/", "http://witness");
  if (url.pathname === "/add-checkpoint") {
    if (req.method !== "POST") return send(res, 405, "add-checkpoint takes a POST\n", { allow: "POST" });
    const body = await readBody(req);
    if (body === null) return send(res, 413, `the request body is larger than ${MAX_BODY_BYTES} bytes\n`);
    const out = await witness.addCheckpoint(body);
    log(`add-checkpoint ${out.status} ${out.status === 200 ? "" : out.body.trim().split("\n")[0]}`.trim());
    return send(res, out.status, out.body, { "content-type": out.contentType ?? "text/plain; charset=utf-8" });
  }
  if (url.pathname === "/checkpoint" && req.method === "GET") {
    const origin = url.searchParams.get("origin");
    if (!origin) return send(res, 400, "say which log: /checkpoint?origin=<origin>\n");
    const s = await witness.state(origin);
    if (!s) return send(res, 404, `this witness has cosigned nothing for "${origin}"\n`);
    return send(res, 200, s.note);
  }
  if (url.pathname === "/" && req.method === "GET") return send(res, 200, `${witness.verifierKey}\n`);
  return send(res, 404, "not found\n");
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
