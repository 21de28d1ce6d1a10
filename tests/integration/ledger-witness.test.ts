/**
 * Witnesses, run as an auditor would: `npm run ledger:witness`'s script in its
 * own process with its own data directory, and the sealer submitting real
 * checkpoints of a real tenant to it over HTTP.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { getDb } from "@/db/client";
import { recordAuditEvent } from "@/lib/audit/service";
import { resetConfigCache } from "@/lib/config";
import { maintainLedger, sealTenant, tenantOrigin, writeCheckpoint } from "@/lib/ledger/chain";
import { parseVerifierKey, splitNote, verifyCosignature, witnessKeyPair } from "@/lib/ledger/cosignature";
import { currentSigningKey } from "@/lib/ledger/keys";
import { EMPTY_ROOT, leafHash } from "@/lib/ledger/merkle";
import { signCheckpointNote, verifierKey } from "@/lib/ledger/note";
import { addCheckpoint, fetchWitnessed, WitnessError } from "@/lib/ledger/witness-client";
import { tenantWitnessing, witnessCheckpoints, witnessingSettled } from "@/lib/ledger/witnessing";
import { makeTenant, type TestTenant } from "../helpers/factories";
import { useOwnDatabase } from "../helpers/own-database";

const TSX = path.resolve("node_modules/.bin/tsx");

type RunningWitness = { proc: ChildProcess; url: string; port: number; verifierKey: string; output: () => string };

/** Starts scripts/ledger-witness.ts and waits for it to print its key and address. */
async function startWitness(dataDir: string, port = 0): Promise<RunningWitness> {
  const proc = spawn(
    TSX,
    [
      "--tsconfig",
      "tsconfig.scripts.json",
      "scripts/ledger-witness.ts",
      "--data",
      dataDir,
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--name",
      "auditor.test/witness",
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  for (let i = 0; i < 300 && !/listening on http:\/\/127\.0\.0\.1:\d+/.test(out); i++) {
    if (proc.exitCode !== null) throw new Error(`the witness exited: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const key = /^verifier key: (\S+)$/m.exec(out)?.[1];
  const listening = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
  if (!key || !listening) throw new Error(`the witness did not start: ${out}`);
  return { proc, url: listening[1], port: Number(listening[2]), verifierKey: key, output: () => out };
}

async function stopWitness(w: RunningWitness) {
  if (w.proc.exitCode !== null) return;
  const exited = new Promise((r) => w.proc.once("exit", r));
  w.proc.kill("SIGTERM");
  await exited;
}

/** add-checkpoint calls the witness answered with `status`, as its log prints them. */
function answered(w: RunningWitness, status: number): number {
  return w
    .output()
    .split("\n")
    .filter((l) => l.includes(`add-checkpoint ${status}`)).length;
}

let app: postgres.Sql;
let t: TestTenant;
let origin: string;
let logKey: string;
let dataDir: string;
let witness: RunningWitness;
let witnessesFile: string;

async function addEntries(n: number) {
  for (let i = 0; i < n; i++) {
    await recordAuditEvent(getDb(), t.ctx("admin"), {
      entityType: "Tenant",
      action: "Update",
      entityName: `change ${i}`,
      details: "witnessed",
    });
  }
  await sealTenant(getDb(), t.id);
  return (await writeCheckpoint(getDb(), t.id))!;
}

async function useWitnesses(lines: string[]) {
  await writeFile(witnessesFile, `# test witnesses\n${lines.join("\n")}\n`);
  process.env.LEDGER_WITNESSES_FILE = witnessesFile;
  resetConfigCache();
}

async function cosignatures(treeSize: number) {
  return app<{ timestamp: string; signature: string; witness_name: string }[]>`
    select timestamp::text, signature, witness_name from ledger_cosignatures where tenant_id = ${t.id} and tree_size = ${treeSize} order by timestamp`;
}

// A database of its own: /api/health's ledger check reads every tenant, and other files flag theirs on purpose.
let own: Awaited<ReturnType<typeof useOwnDatabase>>;
beforeAll(async () => {
  own = await useOwnDatabase("witness");
  app = postgres(own.appUrl, { max: 1, onnotice: () => {} });
  t = await makeTenant();
  origin = await tenantOrigin(getDb(), t.id);
  logKey = verifierKey(origin, currentSigningKey().publicKeyPem);
  dataDir = await mkdtemp(path.join(os.tmpdir(), "witness-"));
  // The log is listed in the data directory, as an auditor would after onboarding.
  await writeFile(path.join(dataDir, "logs"), `# SyncLedger tenant logs\n${logKey}\n`);
  witness = await startWitness(dataDir);
  witnessesFile = path.join(await mkdtemp(path.join(os.tmpdir(), "witnesses-")), "witnesses.txt");
  await useWitnesses([`${witness.url} ${witness.verifierKey}`]);
}, 60_000);

afterAll(async () => {
  if (witness) await stopWitness(witness);
  await witnessingSettled();
  delete process.env.LEDGER_WITNESSES_FILE;
  delete process.env.LEDGER_HEARTBEAT_SECONDS;
  resetConfigCache();
  await app?.end();
  await own?.drop();
});

describe("a witness run with npm run ledger:witness", () => {
  it("prints its cosignature verifier key and keeps its private key readable by its owner only", async () => {
    const v = parseVerifierKey(witness.verifierKey);
    expect(v.name).toBe("auditor.test/witness");
    expect((await stat(path.join(dataDir, "witness-key.json"))).mode & 0o777).toBe(0o600);
    expect(await (await fetch(`${witness.url}/`)).text()).toBe(`${witness.verifierKey}\n`);
  });

  it("cosigns the sealer's new checkpoints, one round trip per checkpoint however many entries it covers", async () => {
    const first = await addEntries(3);
    expect(await witnessCheckpoints(getDb())).toMatchObject({ cosigned: 1 });
    const [row] = await cosignatures(first.treeSize);
    expect(row.witness_name).toBe("auditor.test/witness");
    const witnessed = await fetchWitnessed(witness.url, origin, witness.verifierKey);
    expect(witnessed).toMatchObject({ treeSize: first.treeSize });
    expect(witnessed!.rootHash.toString("hex")).toBe(first.rootHash);
    // The stored line is the witness's cosignature of the very note the log signed.
    expect(verifyCosignature(witness.verifierKey, splitNote(witnessed!.note).body, row.signature)).toMatchObject({
      timestamp: Number(row.timestamp),
    });

    const before = answered(witness, 200);
    const second = await addEntries(40);
    expect(second.treeSize).toBe(first.treeSize + 40);
    expect(await witnessCheckpoints(getDb())).toMatchObject({ cosigned: 1 });
    expect(answered(witness, 200) - before).toBe(1);
    expect(await cosignatures(second.treeSize)).toHaveLength(1);
    expect((await fetchWitnessed(witness.url, origin, witness.verifierKey))!.treeSize).toBe(second.treeSize);
    const [lag] = (await tenantWitnessing(getDb(), t.id)).witnesses;
    expect(lag).toMatchObject({ size: second.treeSize, entriesBehind: 0, secondsBehind: 0, state: "current", lastError: null });
  });

  it("refuses a rollback, a fork, a bad consistency proof, a bad log signature and an unknown log, and keeps its record", async () => {
    const known = (await fetchWitnessed(witness.url, origin, witness.verifierKey))!;
    const key = currentSigningKey().privateKeyPem;
    const note = (treeSize: number, rootHash: Buffer, signWith = key, o = origin) =>
      signCheckpointNote({ origin: o, treeSize, rootHash }, signWith);
    const refusal = async (p: Promise<unknown>) => {
      const e = await p.then(
        () => null,
        (x) => x,
      );
      expect(e).toBeInstanceOf(WitnessError);
      return e as WitnessError;
    };
    const otherRoot = createHash("sha256").update("forged").digest();

    // Rollback: a smaller tree, with the witness's size as old (400) or the smaller size as old (409 conflict).
    expect((await refusal(addCheckpoint(witness.url, { oldSize: known.treeSize, proof: [], note: note(2, otherRoot) }))).status).toBe(400);
    expect(await addCheckpoint(witness.url, { oldSize: 2, proof: [], note: note(2, otherRoot) })).toEqual({
      kind: "conflict",
      size: known.treeSize,
    });
    // Fork: the same size with another root.
    const fork = await refusal(addCheckpoint(witness.url, { oldSize: known.treeSize, proof: [], note: note(known.treeSize, otherRoot) }));
    expect(fork.status).toBe(409);
    expect(fork.message).toMatch(/fork/);
    // A larger tree whose consistency proof does not lead from the witnessed root.
    const bogusProof = [leafHash("ab".repeat(32)), Buffer.from(EMPTY_ROOT)];
    expect(
      (await refusal(addCheckpoint(witness.url, { oldSize: known.treeSize, proof: bogusProof, note: note(known.treeSize + 5, otherRoot) })))
        .status,
    ).toBe(422);
    // Signed by a key the witness does not hold for this log.
    const stranger = witnessKeyPair().privateKeyPem;
    expect(
      (
        await refusal(
          addCheckpoint(witness.url, { oldSize: known.treeSize, proof: [], note: note(known.treeSize, known.rootHash, stranger) }),
        )
      ).status,
    ).toBe(403);
    // A log the witness was never told about.
    expect(
      (await refusal(addCheckpoint(witness.url, { oldSize: 0, proof: [], note: note(1, otherRoot, key, "elsewhere.test/ledger/x") })))
        .status,
    ).toBe(404);

    const after = (await fetchWitnessed(witness.url, origin, witness.verifierKey))!;
    expect(after.treeSize).toBe(known.treeSize);
    expect(after.rootHash.equals(known.rootHash)).toBe(true);
  });

  it("sends the unchanged checkpoint again after the heartbeat interval and gets a newer cosignature", async () => {
    const { treeSize } = (await fetchWitnessed(witness.url, origin, witness.verifierKey))!;
    const before = await cosignatures(treeSize);
    // Nothing changed and no heartbeat is due: no round trip for this tenant.
    const calls = answered(witness, 200);
    await witnessCheckpoints(getDb());
    expect(answered(witness, 200)).toBe(calls);
    // Cosignature times are whole seconds: let one pass, then move past the heartbeat.
    await new Promise((r) => setTimeout(r, 1100));
    process.env.LEDGER_HEARTBEAT_SECONDS = "1";
    resetConfigCache();
    try {
      await witnessCheckpoints(getDb());
    } finally {
      delete process.env.LEDGER_HEARTBEAT_SECONDS;
      resetConfigCache();
    }
    const after = await cosignatures(treeSize);
    expect(after).toHaveLength(before.length + 1);
    expect(Number(after.at(-1)!.timestamp)).toBeGreaterThan(Number(before.at(-1)!.timestamp));
    expect((await fetchWitnessed(witness.url, origin, witness.verifierKey))!.cosignature.timestamp).toBe(Number(after.at(-1)!.timestamp));
  });

  it("a witness that is down or hangs blocks neither appends nor sealing, shows as behind, then catches up with one consistency proof", async () => {
    const witnessedSize = (await fetchWitnessed(witness.url, origin, witness.verifierKey))!.treeSize;
    const port = witness.port;
    await stopWitness(witness);

    // A witness that accepts connections and never answers: sealing returns while the submission waits.
    const sockets = new Set<import("node:net").Socket>();
    const hanging: Server = createServer(() => {});
    hanging.on("connection", (s) => sockets.add(s));
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
    const hangingPort = (hanging.address() as import("node:net").AddressInfo).port;
    await useWitnesses([`http://127.0.0.1:${hangingPort} ${witness.verifierKey}`]);
    const pending = await addEntries(1);
    await recordAuditEvent(getDb(), t.ctx("admin"), { entityType: "Tenant", action: "Update", entityName: "while hanging", details: "x" });
    const started = performance.now();
    await maintainLedger(getDb());
    expect(performance.now() - started).toBeLessThan(2000);
    // The submission of the new checkpoint is still waiting on the witness, and the new entry is sealed all the same.
    for (let i = 0; i < 50 && sockets.size === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(sockets.size).toBeGreaterThan(0);
    const [{ n }] = await app<{ n: string }[]>`select count(*)::text as n from ledger_entries where tenant_id = ${t.id}`;
    expect(Number(n)).toBe(pending.treeSize + 1);
    hanging.close();
    hanging.closeAllConnections();
    await witnessingSettled();

    // Down: appends and checkpoints go on; the witness shows as failing and behind.
    await useWitnesses([`http://127.0.0.1:${port} ${witness.verifierKey}`]);
    const cp = await addEntries(7);
    expect(cp.treeSize).toBeGreaterThan(witnessedSize);
    expect(await witnessCheckpoints(getDb(), { now: Date.now() + 3600_000 })).toMatchObject({ cosigned: 0 });
    const [down] = (await tenantWitnessing(getDb(), t.id)).witnesses;
    expect(down).toMatchObject({ size: witnessedSize, entriesBehind: cp.treeSize - witnessedSize, state: "error" });
    expect(down.lastError).toMatch(/could not reach the witness/);
    // Backing off: an immediate second pass does not try again.
    const [{ failures }] = await app<{ failures: string }[]>`select failures::text from ledger_witness_state where tenant_id = ${t.id}`;
    await witnessCheckpoints(getDb());
    const [{ failures: still }] = await app<
      { failures: string }[]
    >`select failures::text from ledger_witness_state where tenant_id = ${t.id}`;
    expect(still).toBe(failures);
    // /api/health names the witness as failing; the app itself stays healthy.
    const res = await health();
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.ledgerWitnesses.status).toBe("red");
    expect(body.ledgerWitnesses.witnesses).toEqual([
      expect.objectContaining({ name: "auditor.test/witness", status: "error", errors: expect.arrayContaining(["unreachable"]) }),
    ]);
    expect(JSON.stringify(body)).not.toContain(t.slug);

    // Back up on the same port and data directory: one submission, with one consistency proof, brings it level.
    witness = await startWitness(dataDir, port);
    expect(await witnessCheckpoints(getDb(), { now: Date.now() + 3600_000 })).toMatchObject({ cosigned: expect.any(Number) });
    expect(answered(witness, 200)).toBe(1);
    expect((await fetchWitnessed(witness.url, origin, witness.verifierKey))!.treeSize).toBe(cp.treeSize);
    const [level] = (await tenantWitnessing(getDb(), t.id)).witnesses;
    expect(level).toMatchObject({ size: cp.treeSize, entriesBehind: 0, state: "current", lastError: null });
  });

  it("after a lost reply the sealer adopts the witness's size from its 409 and retries once", async () => {
    const known = (await fetchWitnessed(witness.url, origin, witness.verifierKey))!;
    const cp = await addEntries(4);
    // The witness cosigns this checkpoint, but the sealer never hears of it.
    const { readObjectText } = await import("@/lib/ledger/verify");
    const note = (await readObjectText(cp.objectKey.replace(/\.json$/, ".note")))!;
    const leaves: Buffer[] = [];
    const { leafHashes } = await import("@/lib/ledger/chain");
    for await (const b of leafHashes(getDb(), t.id, cp.treeSize)) leaves.push(...b);
    const { consistencyProof } = await import("@/lib/ledger/merkle");
    expect(
      await addCheckpoint(witness.url, { oldSize: known.treeSize, proof: consistencyProof(known.treeSize, leaves), note }),
    ).toMatchObject({ kind: "cosigned" });
    const more = await addEntries(2);
    const conflicts = answered(witness, 409);
    expect(await witnessCheckpoints(getDb())).toMatchObject({ cosigned: 1 });
    expect(answered(witness, 409) - conflicts).toBe(1);
    expect((await fetchWitnessed(witness.url, origin, witness.verifierKey))!.treeSize).toBe(more.treeSize);
  });

  it("the app role cannot write cosignatures or witness state except through the checked function", async () => {
    const [{ tree_size }] = await app<
      { tree_size: string }[]
    >`select tree_size::text from ledger_cosignatures where tenant_id = ${t.id} limit 1`;
    const attempt = (q: Promise<unknown>) =>
      q.then(
        () => "ok",
        (e: { code?: string }) => e.code,
      );
    expect(
      await attempt(app`insert into ledger_cosignatures (tenant_id, tree_size, witness_name, witness_key, timestamp, signature)
        values (${t.id}, ${tree_size}, 'forged', 'forged', 1, 'forged')`),
    ).toBe("42501");
    expect(await attempt(app`update ledger_witness_state set size = 0 where tenant_id = ${t.id}`)).toBe("42501");
    expect(await attempt(app`delete from ledger_cosignatures where tenant_id = ${t.id}`)).toBe("42501");
    // A cosignature line for a checkpoint the tenant does not have is refused by the function.
    const [row] = await cosignatures(Number(tree_size));
    const refused = await attempt(
      app`select ledger_record_cosignature(${t.id}, ${witness.verifierKey}, ${witness.url}, 999999::bigint, ${row.timestamp}::bigint, ${row.signature})`,
    );
    expect(refused).toBe("22023");
  });
});
