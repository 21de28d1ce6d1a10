/**
 * The log's side of the C2SP tlog-witness protocol (c2sp.org/tlog-witness):
 * submitting a checkpoint with a consistency proof to `add-checkpoint`, and
 * reading back the newest checkpoint a witness cosigned (`GET /checkpoint`,
 * ours: the protocol leaves monitor retrieval open).
 */
import { cosignatureTimestamp, noteCosignatures, splitNote } from "./cosignature";
import { NoteError, parseCheckpointText } from "./note";

const DEFAULT_TIMEOUT_MS = 5000;
/** The protocol's limit on consistency proof lines. */
export const MAX_PROOF_LINES = 63;

/** A witness answered with something other than a cosignature or a size conflict; `status` 0 when it could not be reached. */
export class WitnessError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "WitnessError";
  }
}

export type AddCheckpointResult = { kind: "cosigned"; lines: string[] } | { kind: "conflict"; size: number };

function endpoint(url: string, path: string): string {
  return `${url.replace(/\/+$/, "")}${path}`;
}

/** The add-checkpoint request body: `old <size>`, proof hashes in base64, a blank line, the signed note. */
export function addCheckpointBody(oldSize: number, proof: Buffer[], note: string): string {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw new Error("addCheckpoint: old size must be a non-negative integer");
  if (proof.length > MAX_PROOF_LINES) throw new Error(`addCheckpoint: a consistency proof has at most ${MAX_PROOF_LINES} hashes`);
  return `old ${oldSize}\n${proof.map((h) => `${h.toString("base64")}\n`).join("")}\n${note}`;
}

async function request(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
    throw new WitnessError(0, `could not reach the witness at ${url}: ${cause}`);
  }
}

/**
 * POSTs a checkpoint note to `<url>/add-checkpoint`. Returns the cosignature
 * lines (unverified: the caller checks them against the witness's key), or the
 * witness's size on a 409 size conflict; throws WitnessError on anything else.
 */
export async function addCheckpoint(
  url: string,
  submission: { oldSize: number; proof: Buffer[]; note: string },
  opts: { timeoutMs?: number } = {},
): Promise<AddCheckpointResult> {
  const res = await request(
    endpoint(url, "/add-checkpoint"),
    {
      method: "POST",
      body: addCheckpointBody(submission.oldSize, submission.proof, submission.note),
      headers: { "content-type": "text/plain" },
    },
    opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
  const text = await res.text();
  if (res.status === 200) {
    const lines = text.split("\n").filter((l) => l !== "");
    if (lines.length === 0) throw new WitnessError(200, "the witness answered with no cosignature");
    return { kind: "cosigned", lines: lines.map((l) => `${l}\n`) };
  }
  if (res.status === 409 && (res.headers.get("content-type") ?? "").startsWith("text/x.tlog.size")) {
    const size = text.trim();
    if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) {
      throw new WitnessError(409, `the witness reported a size conflict with an unreadable size "${size.slice(0, 40)}"`);
    }
    return { kind: "conflict", size: Number(size) };
  }
  throw new WitnessError(
    res.status,
    `the witness refused the checkpoint (HTTP ${res.status}): ${text.trim().slice(0, 300) || res.statusText}`,
  );
}

export type Witnessed = { note: string; treeSize: number; rootHash: Buffer; cosignature: { timestamp: number; line: string } };

/**
 * The newest checkpoint the witness cosigned for `origin`, or null when it has
 * none. With `witnessKey` the cosignature must verify against it (else
 * WitnessError); without, the first cosignature-shaped line is read unchecked.
 */
export async function fetchWitnessed(
  url: string,
  origin: string,
  witnessKey?: string,
  opts: { timeoutMs?: number } = {},
): Promise<Witnessed | null> {
  const res = await request(
    endpoint(url, `/checkpoint?origin=${encodeURIComponent(origin)}`),
    { method: "GET" },
    opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
  const text = await res.text();
  if (res.status === 404) return null;
  if (res.status !== 200)
    throw new WitnessError(res.status, `the witness did not return its checkpoint (HTTP ${res.status}): ${text.trim().slice(0, 300)}`);
  try {
    const { body, lines } = splitNote(text);
    const cp = parseCheckpointText(body);
    if (cp.origin !== origin) throw new WitnessError(200, `the witness returned a checkpoint for "${cp.origin}", not "${origin}"`);
    let cosignature: { timestamp: number; line: string } | undefined;
    if (witnessKey) {
      const [found] = noteCosignatures(text, [witnessKey]);
      if (!found) throw new WitnessError(200, "the witness's checkpoint carries no valid cosignature by its key");
      cosignature = { timestamp: found.timestamp, line: found.line };
    } else {
      const line = lines.find((l) => cosignatureTimestamp(l));
      if (!line) throw new WitnessError(200, "the witness's checkpoint carries no cosignature");
      cosignature = { timestamp: cosignatureTimestamp(line)!.timestamp, line: `${line}\n` };
    }
    return { note: text, treeSize: cp.treeSize, rootHash: cp.rootHash, cosignature };
  } catch (e) {
    if (e instanceof NoteError) throw new WitnessError(200, `the witness returned a malformed checkpoint: ${e.message}`);
    throw e;
  }
}
