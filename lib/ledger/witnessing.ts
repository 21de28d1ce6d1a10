/**
 * The sealer's side of witnessing: every tenant's newest checkpoint goes to
 * each configured witness (LEDGER_WITNESSES_FILE) with a consistency proof from
 * the size that witness last cosigned, and again every LEDGER_HEARTBEAT_SECONDS
 * when nothing changed, so a witness's record always shows how far the log had
 * grown lately. Round trips are per checkpoint, never per entry, and run beside
 * sealing, never in front of it: a witness that is down only delays its own
 * cosignatures and backs off.
 */
import "server-only";
import { readFileSync, statSync } from "node:fs";
import { type Executor, getDb } from "@/db/client";
import { chainSize } from "@/db/queries/ledger";
import * as queries from "@/db/queries/ledger-witnesses";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { latestCheckpoint, leafHashes } from "./chain";
import { parseVerifierKey, verifyCosignature } from "./cosignature";
import { consistencyProof, merkleRoot } from "./merkle";
import { storedConsistencyProof } from "./subtrees";
import { NoteError, parseCheckpointText } from "./note";
import { readObjectText } from "./verify";
import { addCheckpoint, WitnessError } from "./witness-client";

export type ConfiguredWitness = { name: string; url: string; verifierKey: string };
export type WitnessesConfig = { witnesses: ConfiguredWitness[]; quorum: number; heartbeatSeconds: number };

/** `URL VERIFIER_KEY` per line; blank lines and # comments are skipped. Throws naming the first bad line. */
export function parseWitnessesFile(text: string): ConfiguredWitness[] {
  const witnesses: ConfiguredWitness[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) return;
    const fields = line.split(/\s+/);
    const where = `line ${i + 1}`;
    if (fields.length !== 2) throw new Error(`${where}: expected "URL VERIFIER_KEY", found ${fields.length} field(s)`);
    const [url, verifierKey] = fields;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`${where}: "${url}" is not a URL`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error(`${where}: the witness URL must be http or https`);
    let name: string;
    try {
      name = parseVerifierKey(verifierKey).name;
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    if (witnesses.some((w) => w.verifierKey === verifierKey)) throw new Error(`${where}: witness ${name} is listed twice`);
    witnesses.push({ name, url: url.replace(/\/+$/, ""), verifierKey });
  });
  return witnesses;
}

let cachedFile: { path: string; mtimeMs: number; size: number; witnesses: ConfiguredWitness[] } | null = null;

/** The configured witnesses, quorum and heartbeat; the file is re-read when it changes. */
export function witnessesConfig(): WitnessesConfig {
  const config = getConfig();
  const heartbeatSeconds = config.LEDGER_HEARTBEAT_SECONDS;
  const file = config.LEDGER_WITNESSES_FILE;
  let witnesses: ConfiguredWitness[] = [];
  if (file) {
    try {
      const st = statSync(file);
      if (cachedFile?.path !== file || cachedFile.mtimeMs !== st.mtimeMs || cachedFile.size !== st.size) {
        cachedFile = { path: file, mtimeMs: st.mtimeMs, size: st.size, witnesses: parseWitnessesFile(readFileSync(file, "utf8")) };
      }
      witnesses = cachedFile.witnesses;
    } catch (e) {
      throw new AppError("unavailable:witnesses_file", `LEDGER_WITNESSES_FILE (${file}): ${(e as Error).message}`);
    }
  }
  const quorum = config.LEDGER_WITNESS_QUORUM ?? witnesses.length;
  if (quorum > witnesses.length) {
    throw new AppError(
      "unavailable:witness_quorum",
      `LEDGER_WITNESS_QUORUM is ${quorum}, but only ${witnesses.length} witness(es) are configured.`,
    );
  }
  return { witnesses, quorum, heartbeatSeconds };
}

/** Seconds to wait after `failures` failed attempts in a row: 2, 4, 8 … up to 5 minutes. */
export function retryDelaySeconds(failures: number): number {
  return failures <= 0 ? 0 : Math.min(2 ** Math.min(failures, 16), 300);
}

type TenantCheckpoint = Awaited<ReturnType<typeof queries.latestCheckpointPerTenant>>[number];

/**
 * One pass: submits every tenant's newest checkpoint to every witness that has
 * not cosigned it, or whose last cosignature is a heartbeat old. `now` (ms) is
 * for tests of heartbeats and back-off.
 */
export async function witnessCheckpoints(db: Executor, opts: { now?: number } = {}): Promise<{ cosigned: number; failed: number }> {
  const { witnesses, heartbeatSeconds } = witnessesConfig();
  if (witnesses.length === 0) return { cosigned: 0, failed: 0 };
  const now = opts.now ?? Date.now();
  const [checkpoints, states] = await Promise.all([queries.latestCheckpointPerTenant(db), queries.witnessStates(db)]);
  const stateOf = new Map(states.map((s) => [`${s.tenantId} ${s.witnessKey}`, s]));
  let cosigned = 0;
  let failed = 0;
  // A few tenants at a time: a hanging witness costs each of them a timeout, and they should not queue behind one another.
  for (let i = 0; i < checkpoints.length; i += TENANTS_AT_ONCE) {
    const results = await Promise.all(checkpoints.slice(i, i + TENANTS_AT_ONCE).map((cp) => witnessTenant(cp)));
    for (const r of results) {
      cosigned += r.cosigned;
      failed += r.failed;
    }
  }
  return { cosigned, failed };

  async function witnessTenant(cp: TenantCheckpoint) {
    const due = witnesses.filter((w) => {
      const s = stateOf.get(`${cp.tenantId} ${w.verifierKey}`);
      if (s?.failures && s.lastAttemptAt && now < s.lastAttemptAt.getTime() + retryDelaySeconds(s.failures) * 1000) return false;
      return !s || s.size < cp.treeSize || s.cosignedAt === null || now / 1000 - s.cosignedAt >= heartbeatSeconds || s.size > cp.treeSize;
    });
    if (due.length === 0) return { cosigned: 0, failed: 0 };
    const tenant = new TenantSubmission(db, cp);
    // Witnesses are independent: one slow witness must not hold up the others.
    const results = await Promise.all(due.map((w) => tenant.submit(w, stateOf.get(`${cp.tenantId} ${w.verifierKey}`)?.size ?? 0)));
    return { cosigned: results.filter(Boolean).length, failed: results.filter((ok) => !ok).length };
  }
}

const TENANTS_AT_ONCE = 8;

class TenantSubmission {
  #note: Promise<{ note: string; body: string }> | null = null;
  #leaves: Promise<Buffer[]> | null = null;

  constructor(
    private readonly db: Executor,
    private readonly cp: TenantCheckpoint,
  ) {}

  /** Returns whether the witness's cosignature was stored; failures are recorded on the witness's state. */
  async submit(w: ConfiguredWitness, knownSize: number): Promise<boolean> {
    const { db, cp } = this;
    try {
      const { note, body } = await this.note();
      if (knownSize > cp.treeSize) {
        throw new Error(
          `the witness last cosigned tree size ${knownSize}, but the newest checkpoint covers only ${cp.treeSize} entries: checkpoints were lost or rolled back`,
        );
      }
      let result = await addCheckpoint(w.url, { oldSize: knownSize, proof: await this.proof(knownSize), note });
      if (result.kind === "conflict") {
        // The witness knows a size we did not record (a lost reply, a restored database, another sealer): start from its size, once.
        if (result.size > cp.treeSize) {
          throw new Error(
            `the witness has cosigned tree size ${result.size}, more than the ${cp.treeSize} entries of the newest checkpoint: the ledger is shorter than what the witness saw`,
          );
        }
        result = await addCheckpoint(w.url, { oldSize: result.size, proof: await this.proof(result.size), note });
        if (result.kind === "conflict")
          throw new Error(`the witness's size changed again (now ${result.size}) while submitting; will retry`);
      }
      const verified = result.lines.map((line) => ({ line, ok: verifyCosignature(w.verifierKey, body, line) })).find((r) => r.ok);
      if (!verified?.ok) {
        throw new Error(`the witness answered, but no cosignature in its reply verifies with its configured key ${w.verifierKey}`);
      }
      await queries.recordCosignature(db, {
        tenantId: cp.tenantId,
        witnessKey: w.verifierKey,
        witnessUrl: w.url,
        treeSize: cp.treeSize,
        timestamp: verified.ok.timestamp,
        signature: verified.line,
      });
      return true;
    } catch (e) {
      const message = e instanceof WitnessError || e instanceof Error ? e.message : String(e);
      log.warn({ tenantId: cp.tenantId, witness: w.name, treeSize: cp.treeSize, err: message }, "witness did not cosign the checkpoint");
      await queries
        .recordWitnessError(db, { tenantId: cp.tenantId, witnessKey: w.verifierKey, witnessUrl: w.url, error: message })
        .catch((err) => log.error({ err }, "could not record a witness error"));
      return false;
    }
  }

  private note() {
    this.#note ??= (async () => {
      const key = this.cp.objectKey.replace(/\.json$/, ".note");
      const note = await readObjectText(key);
      if (!note)
        throw new Error(`checkpoint ${this.cp.treeSize} has no signed note (${key}); it is submitted once the next checkpoint is signed`);
      const body = note.slice(0, note.lastIndexOf("\n\n") + 1);
      try {
        const parsed = parseCheckpointText(body);
        if (parsed.treeSize !== this.cp.treeSize || parsed.rootHash.toString("hex") !== this.cp.rootHash) {
          throw new NoteError("it names another tree head");
        }
      } catch (e) {
        throw new Error(`the signed note of checkpoint ${this.cp.treeSize} does not match the checkpoint: ${(e as Error).message}`);
      }
      return { note, body };
    })();
    return this.#note;
  }

  private async proof(oldSize: number): Promise<Buffer[]> {
    if (oldSize === 0 || oldSize === this.cp.treeSize) return [];
    // O(log n) reads from the stored subtree hashes, checked against the signed root. Only when they
    // do not give that root (a damaged cache) is every leaf read, to say what is wrong.
    const stored = await storedConsistencyProof(this.db, this.cp.tenantId, oldSize, this.cp.treeSize).catch(() => null);
    if (stored?.root.toString("hex") === this.cp.rootHash) return stored.proof;
    this.#leaves ??= (async () => {
      const leaves: Buffer[] = [];
      for await (const batch of leafHashes(this.db, this.cp.tenantId, this.cp.treeSize)) leaves.push(...batch);
      // A proof from entries that no longer hash to the signed root would only be refused: say why here instead.
      if (leaves.length !== this.cp.treeSize || merkleRoot(leaves).toString("hex") !== this.cp.rootHash) {
        throw new Error(`the ledger's first ${this.cp.treeSize} entries no longer hash to checkpoint ${this.cp.treeSize}'s root`);
      }
      return leaves;
    })();
    return consistencyProof(oldSize, await this.#leaves);
  }
}

let inFlight: Promise<unknown> | null = null;
let lastPassError: string | null = null;

/**
 * Starts a witnessing pass unless one is running, and returns at once: the
 * worker's sealing loop never waits on a witness.
 */
export function witnessInBackground(db: Executor): void {
  if (inFlight) return;
  inFlight = witnessCheckpoints(db)
    .then(() => {
      lastPassError = null;
    })
    .catch((e) => {
      // Once per distinct problem: a broken witnesses file would otherwise be logged every second.
      const message = e instanceof Error ? e.message : String(e);
      if (message !== lastPassError) log.error({ err: e }, "witnessing checkpoints failed");
      lastPassError = message;
    })
    .finally(() => {
      inFlight = null;
    });
}

/** Resolves when the background pass in flight (if any) has ended. */
export async function witnessingSettled(): Promise<void> {
  await inFlight;
}

export type WitnessLag = {
  name: string;
  url: string;
  verifierKey: string;
  /** Tree size of the newest checkpoint it cosigned (0: none yet). */
  size: number;
  /** When it signed its newest cosignature. */
  cosignedAt: Date | null;
  lastAttemptAt: Date | null;
  lastError: string | null;
  entriesBehind: number;
  /** How long the oldest checkpoint it has not cosigned has been waiting; 0 when it is up to date. */
  secondsBehind: number;
  state: "current" | "behind" | "error";
};

export type TenantWitnessing = { quorum: number; heartbeatSeconds: number; current: number; witnesses: WitnessLag[] };

/** How far a checkpoint may wait for a witness before it counts as behind. */
const GRACE_SECONDS = 60;

/** Each configured witness's lag for one tenant: for the Ledger page and the health check. */
export async function tenantWitnessing(db: Executor, tenantId: string, now = Date.now()): Promise<TenantWitnessing> {
  const { witnesses, quorum, heartbeatSeconds } = witnessesConfig();
  if (witnesses.length === 0) return { quorum, heartbeatSeconds, current: 0, witnesses: [] };
  const [states, entries, latest] = await Promise.all([
    queries.witnessStates(db, tenantId),
    chainSize(db, tenantId),
    latestCheckpoint(db, tenantId),
  ]);
  const lags = await Promise.all(
    witnesses.map(async (w): Promise<WitnessLag> => {
      const s = states.find((x) => x.witnessKey === w.verifierKey);
      const size = s?.size ?? 0;
      const waitingSince = latest && latest.treeSize > size ? await queries.firstCheckpointAfter(db, tenantId, size) : null;
      const secondsBehind = waitingSince ? Math.max(0, Math.round((now - Date.parse(waitingSince)) / 1000)) : 0;
      const cosignedAt = s?.cosignedAt ? new Date(s.cosignedAt * 1000) : null;
      const failing = Boolean(s?.lastError);
      const stale = latest !== null && (cosignedAt === null || now - cosignedAt.getTime() > (2 * heartbeatSeconds + GRACE_SECONDS) * 1000);
      return {
        name: w.name,
        url: w.url,
        verifierKey: w.verifierKey,
        size,
        cosignedAt,
        lastAttemptAt: s?.lastAttemptAt ?? null,
        lastError: s?.lastError ?? null,
        entriesBehind: Math.max(0, entries - size),
        secondsBehind,
        state: failing ? "error" : secondsBehind > GRACE_SECONDS || stale ? "behind" : "current",
      };
    }),
  );
  return { quorum, heartbeatSeconds, current: lags.filter((l) => l.state === "current").length, witnesses: lags };
}

/** The Ledger page's witness panel: the caller's tenant only; a broken witnesses file is shown, not thrown. */
export async function ledgerWitnesses(ctx: ServiceContext): Promise<TenantWitnessing | { error: string }> {
  authorize(ctx, "ledger:read");
  try {
    return await tenantWitnessing(getDb(), ctx.tenantId);
  } catch (e) {
    if (e instanceof AppError) return { error: e.message };
    throw e;
  }
}

export type WitnessHealth =
  | { status: "none" }
  | {
      status: "green" | "amber" | "red";
      quorum: number;
      witnesses: {
        name: string;
        url: string;
        status: "current" | "behind" | "error";
        maxEntriesBehind: number;
        maxSecondsBehind: number;
        /** The kinds of the witness's last errors over all tenants, sorted. */
        errors: string[];
      }[];
      error?: string;
    };

/**
 * Witness lag over every tenant, without naming any (the health check is
 * public): red when some tenant's newest checkpoint has fewer current
 * witnesses than the quorum, amber when a witness is behind or failing.
 */
export async function witnessHealth(db: Executor, now = Date.now()): Promise<WitnessHealth> {
  let config: WitnessesConfig;
  try {
    config = witnessesConfig();
  } catch (e) {
    return { status: "red", quorum: 0, witnesses: [], error: (e as Error).message };
  }
  if (config.witnesses.length === 0) return { status: "none" };
  const tenants = (await queries.latestCheckpointPerTenant(db)).map((c) => c.tenantId);
  const byWitness = new Map(
    config.witnesses.map((w) => [
      w.verifierKey,
      {
        name: w.name,
        url: w.url,
        status: "current" as WitnessLag["state"],
        maxEntriesBehind: 0,
        maxSecondsBehind: 0,
        errors: [] as string[],
      },
    ]),
  );
  const rank = { current: 0, behind: 1, error: 2 } as const;
  let belowQuorum = false;
  // A few tenants at a time, as the witnessing pass does: one after another, a health check's time grew with every tenant.
  const perTenant: TenantWitnessing[] = [];
  for (let i = 0; i < tenants.length; i += TENANTS_AT_ONCE) {
    perTenant.push(...(await Promise.all(tenants.slice(i, i + TENANTS_AT_ONCE).map((id) => tenantWitnessing(db, id, now)))));
  }
  for (const t of perTenant) {
    if (t.current < t.quorum) belowQuorum = true;
    for (const lag of t.witnesses) {
      const h = byWitness.get(lag.verifierKey)!;
      if (rank[lag.state] > rank[h.status]) h.status = lag.state;
      h.maxEntriesBehind = Math.max(h.maxEntriesBehind, lag.entriesBehind);
      h.maxSecondsBehind = Math.max(h.maxSecondsBehind, lag.secondsBehind);
      // Only the kind of failure: the full message may name a tenant's log.
      if (lag.lastError && !h.errors.includes(errorKind(lag.lastError))) h.errors = [...h.errors, errorKind(lag.lastError)].sort();
    }
  }
  const witnesses = [...byWitness.values()];
  const status = belowQuorum ? "red" : witnesses.some((w) => w.status !== "current") ? "amber" : "green";
  return { status, quorum: config.quorum, witnesses };
}

/** A failure's kind, for the public health check: the full message may name a tenant's log. */
function errorKind(message: string): string {
  if (message.startsWith("could not reach")) return "unreachable";
  const http = /\(HTTP (\d+)\)/.exec(message);
  if (http) return `refused the checkpoint (HTTP ${http[1]})`;
  if (/no cosignature .* verifies/.test(message)) return "cosignature does not verify";
  if (/signed note/.test(message)) return "checkpoint note missing or mismatched";
  if (/no longer hash/.test(message)) return "entries do not match the checkpoint";
  if (/cosigned tree size/.test(message)) return "witness has seen a longer ledger";
  return "failing";
}
