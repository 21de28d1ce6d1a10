/**
 * npm run bench:ledger — ledger figures against a throwaway real PostgreSQL
 * and a local object store:
 *
 * 1. appends per second with 50 concurrent writers (each append is a real
 *    audited change in its own transaction), sealed by a worker process
 *    (scripts/worker.ts) whose checkpoints one witness process
 *    (scripts/ledger-witness.ts) cosigns; the time until every append is
 *    sealed and until the witness has cosigned all of them, the CPU each
 *    process spends per append, and a check that the chain neither forked nor
 *    skipped a number;
 * 2. peak memory growth while 10 files of 25 MB upload at once through the
 *    upload service (streamed into the store, hashed on the way);
 * 3. time to verify 1,000,000 entries (chain, hashes, Merkle root against the
 *    signed checkpoint), next to the raw SHA-256 time over the same bytes, and
 *    the time a freshly started sealer takes to rebuild the tree from every
 *    leaf before it signs again.
 *
 * Prints figures, asserts nothing. BENCH_LEDGER_ENTRIES and BENCH_APPENDS scale it;
 * BENCH_SAMPLE=1 prints what the database was busy with during the appends.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import postgres from "postgres";
import { startScratchDatabase } from "@/db/scratch";
import { newLedgerSigningKey } from "@/lib/runtime/local-secrets";
import { cpuMs, cpuOf, pidsNaming, sampleStatements, startProcess, startWitness, stopProcess, waitFor, type Proc } from "./processes";

const ENTRIES = Number(process.env.BENCH_LEDGER_ENTRIES ?? 1_000_000);
const APPENDS = Number(process.env.BENCH_APPENDS ?? 50_000);
const WRITERS = 50;
const MiB = 1024 * 1024;

async function main() {
  const db = await startScratchDatabase();
  const pgPort = new URL(db.appUrl).port;
  const objects = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ledger-objects-"));
  // The worker process gets the same settings: the same database, store, signing key and log origin.
  Object.assign(process.env, {
    NODE_ENV: "production",
    DATABASE_URL: db.appUrl,
    DATABASE_MIGRATION_URL: db.ownerUrl,
    LOG_LEVEL: "warn",
    OBJECT_STORE_DIR: objects,
    LEDGER_SIGNING_KEY: newLedgerSigningKey(),
    NEXTAUTH_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    NEXTAUTH_URL: "http://127.0.0.1:3000",
    ENCRYPTION_KEY: "be".repeat(32),
    DATABASE_POOL_MAX: "50",
  });
  const { resetConfigCache } = await import("@/lib/config");
  resetConfigCache();
  const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
  const children: Proc[] = [];
  const { createTenant } = await import("@/lib/tenants/service");
  const { platformContext, userContext } = await import("@/lib/auth/context");
  const { recordAuditEvent } = await import("@/lib/audit/service");
  const { getDb, closeDb } = await import("@/db/client");
  const { forgetSignedStates, sealTenant, tenantOrigin, writeCheckpoint } = await import("@/lib/ledger/chain");
  const { verifierKey } = await import("@/lib/ledger/note");
  const { currentSigningKey } = await import("@/lib/ledger/keys");
  const { verifyTenantLedger } = await import("@/lib/ledger/verify");
  const { chainEntry } = await import("@/lib/ledger/entry");
  const { canonicalJson } = await import("@/lib/crypto/canonical-json");
  const { receiveUpload } = await import("@/lib/uploads/service");
  const owner = postgres(db.ownerUrl, { max: 2, onnotice: () => {} });
  // Sees every session's statement in pg_stat_activity (BENCH_SAMPLE=1).
  const superuser = postgres(db.superuserUrl, { max: 1, onnotice: () => {} });

  try {
    const system = platformContext({ type: "system", name: "bench" });
    const appendTenant = await createTenant(system, { name: "Appends", slug: "appends" });
    const bigTenant = await createTenant(system, { name: "Big", slug: "big" });
    const db = getDb();
    await sealTenant(db, appendTenant.id);

    // One witness (scripts/ledger-witness.ts, a process of its own) for both tenants' logs.
    const logKeys = await Promise.all(
      [appendTenant, bigTenant].map(async (t) => verifierKey(await tenantOrigin(db, t.id), currentSigningKey().publicKeyPem)),
    );
    const witness = await startWitness(logKeys);
    children.push(witness);
    resetConfigCache();

    /**
     * APPENDS audited changes from WRITERS concurrent writers in this process (the app's part),
     * sealed by a worker process started for the run (scripts/worker.ts, as deployed), whose
     * checkpoints the witness cosigns.
     */
    const appendRun = async (tenantId: string, label: string) => {
      const ctx = userContext({ tenantId, role: "admin", user: { id: "00000000-0000-0000-0000-0000000000be", email: "bench@bench.test" } });
      // BENCH_WORKER_NODE_ARGS: node flags for the worker, e.g. "--cpu-prof --cpu-prof-dir=/tmp/worker-profile".
      const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);
      const worker = startProcess(tsx, ["--tsconfig", "tsconfig.scripts.json", ...nodeArgs, "scripts/worker.ts"], process.env, "worker");
      children.push(worker);
      await waitFor("the worker", async () => worker.log().includes("started"), 120_000, [worker]);
      const chainSize = async () =>
        Number((await owner<{ n: string }[]>`select coalesce(max(seq), 0) as n from ledger_entries where tenant_id = ${tenantId}`)[0].n);
      const cosignedSize = async () =>
        Number(
          (await owner<{ n: string }[]>`select coalesce(max(tree_size), 0) as n from ledger_cosignatures where tenant_id = ${tenantId}`)[0]
            .n,
        );
      // The worker's first checkpoint of a tenant rebuilds the tree from every leaf (timed on its own
      // below, once per process): let it happen on one change before the run, as in a worker that has
      // been running.
      await recordAuditEvent(getDb(), ctx, { entityType: "Tenant", action: "Update", entityName: "warm-up", details: "before the run" });
      const warm = (await chainSize()) + 1;
      await waitFor("the worker's first checkpoint", async () => (await cosignedSize()) >= warm, 300_000, [worker, witness]);
      const before = await chainSize();
      const perWriter = Math.ceil(APPENDS / WRITERS);
      const total = WRITERS * perWriter;
      const pg = pidsNaming(`-p ${pgPort} `);
      const ownCpuMs = () => (process.cpuUsage().user + process.cpuUsage().system) / 1000;
      const cpu = () => ({ writers: ownCpuMs(), worker: cpuMs(worker.child.pid), witness: cpuMs(witness.child.pid), pg: cpuOf(pg) });
      const refusals = () =>
        witness
          .log()
          .split("\n")
          .filter((l) => /add-checkpoint (4|5)\d\d/.test(l)).length;
      const refused0 = refusals();
      const load = os.loadavg()[0];
      const sampled = process.env.BENCH_SAMPLE === "1" ? sampleStatements(superuser) : null;
      const cpu0 = cpu();
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, w) => {
          for (let i = 0; i < perWriter; i++) {
            await recordAuditEvent(getDb(), ctx, {
              entityType: "Tenant",
              action: "Update",
              entityName: `writer ${w}`,
              details: `change ${i}`,
            });
          }
        }),
      );
      const written = performance.now();
      await waitFor("the sealer", async () => (await chainSize()) >= before + total, 300_000, [worker]);
      const sealedAt = performance.now();
      const cpu1 = cpu();
      const samples = await sampled?.stop();
      const finalSize = await chainSize();
      await waitFor("the witness's cosignature of the whole chain", async () => (await cosignedSize()) >= finalSize, 300_000, [
        worker,
        witness,
      ]);
      const cosignedAt = performance.now();
      const seqs = await owner<{ seq: string }[]>`select seq from ledger_entries where tenant_id = ${tenantId} order by seq`;
      const forks = seqs.filter((r, i) => Number(r.seq) !== i + 1).length;
      const [{ cosigned, checkpoints }] = await owner<{ cosigned: number; checkpoints: number }[]>`
        select (select count(*)::int from ledger_cosignatures where tenant_id = ${tenantId} and tree_size > ${before}) as cosigned,
               (select count(*)::int from ledger_checkpoints where tenant_id = ${tenantId} and tree_size > ${before}) as checkpoints`;
      const rate = (at: number) => Math.round(total / ((at - t0) / 1000)).toLocaleString("en");
      const perAppend = (k: keyof typeof cpu0) => `${(((cpu1[k] - cpu0[k]) * 1000) / total).toFixed(0)} µs`;
      console.log(
        `Appends ${label}: ${total.toLocaleString("en")} audited changes from ${WRITERS} concurrent writers (load ${load.toFixed(1)})`,
      );
      console.log(`  committed in ${((written - t0) / 1000).toFixed(2)} s = ${rate(written)} appends/s`);
      console.log(
        `  all sealed into the chain by the worker after ${((sealedAt - t0) / 1000).toFixed(2)} s = ${rate(sealedAt)} appends/s end to end`,
      );
      console.log(
        `  the whole chain cosigned by the witness after ${((cosignedAt - t0) / 1000).toFixed(2)} s: ${checkpoints} checkpoints, ${cosigned} cosignatures, ${refusals() - refused0} refused`,
      );
      console.log(`  chain: ${seqs.length - before} new entries, ${forks} out-of-place sequence numbers (forks or gaps)`);
      console.log(
        `  CPU per append: writers ${perAppend("writers")}, worker ${perAppend("worker")}, witness ${perAppend("witness")}, PostgreSQL ${perAppend("pg")}`,
      );
      if (samples) console.log(samples);
      await stopProcess(worker);
    };

    // 1. Appends into a new tenant.
    await appendRun(appendTenant.id, "into a new tenant");

    // 2. Ten 25 MB uploads at once.
    global.gc?.();
    const upCtx = userContext({
      tenantId: appendTenant.id,
      role: "operator",
      user: { id: "00000000-0000-0000-0000-0000000000bf", email: "op@bench.test" },
    });
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const size = 25 * MiB;
    const t4 = performance.now();
    await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        receiveUpload(upCtx, {
          purpose: "evidence",
          filename: `scan-${n}.pdf`,
          contentLength: size,
          body: Readable.from(pdfChunks(size, n)),
        }),
      ),
    );
    clearInterval(sampler);
    console.log(
      `\nTen 25 MB evidence uploads at once: ${((performance.now() - t4) / 1000).toFixed(1)} s; RSS ${(baseline / MiB).toFixed(0)} MB before, ` +
        `${(peak / MiB).toFixed(0)} MB peak, growth ${((peak - baseline) / MiB).toFixed(0)} MB`,
    );
    // 3. Verify 1,000,000 entries. The tables keep the statistics of before the load (the first
    // tenant's entries only), as in an install whose autovacuum has not caught up with an import.
    await owner`analyze ledger_entries`;
    await owner`analyze ledger_subtrees`;
    await owner`alter table ledger_entries set (autovacuum_enabled = false)`;
    await owner`alter table ledger_subtrees set (autovacuum_enabled = false)`;
    // The worker of step 1 sealed the tenant's creation already: the loaded entries hang from it.
    const [last] = await owner<{ seq: string; hash: string }[]>`
      select seq, hash from ledger_entries where tenant_id = ${bigTenant.id} order by seq desc limit 1`;
    let prev: { seq: number; hash: string } | null = last ? { seq: Number(last.seq), hash: last.hash } : null;
    let rawTotal = 0;
    const t1 = performance.now();
    const batch = 50_000;
    for (let start = 0; start < ENTRIES; start += batch) {
      let copy = "";
      for (let i = start; i < Math.min(ENTRIES, start + batch); i++) {
        const record = {
          id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
          action: "Update",
          entity_type: "ConnectionProfile",
          entity_name: `Directory ${i % 997}`,
          actor_name: `user${i % 50}@bench.test`,
          details: `Changed setting ${i % 13} on connection ${i % 997}`,
          occurred_at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
        };
        const entry = chainEntry(prev, { tenantId: bigTenant.id, kind: "audit", refId: record.id, createdAt: record.occurred_at, record });
        prev = entry;
        copy += `${bigTenant.id}\t${entry.seq}\taudit\t${entry.refId}\t${entry.createdAt}\t${entry.prevHash}\t${entry.hash}\t${canonicalJson(record).replace(/\\/g, "\\\\")}\n`;
      }
      const w = await owner`copy ledger_entries (tenant_id, seq, kind, ref_id, created_at, prev_hash, hash, record) from stdin`.writable();
      w.end(copy);
      await new Promise((resolve, reject) => w.on("finish", resolve).on("error", reject));
    }
    console.log(
      `\nGenerated and loaded ${ENTRIES.toLocaleString("en")} chained entries in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );
    await writeCheckpoint(db, bigTenant.id);

    // A sealer starting afresh rebuilds the tree from every leaf once before it signs again.
    await recordAuditEvent(
      db,
      { tenantId: bigTenant.id, actor: { type: "system", name: "bench" }, request: {} },
      {
        entityType: "Tenant",
        action: "Update",
        entityName: "Big",
        details: "one more",
      },
    );
    await sealTenant(db, bigTenant.id);
    forgetSignedStates();
    const tRebuild = performance.now();
    const resumed = await writeCheckpoint(db, bigTenant.id);
    console.log(
      `Sealer's first checkpoint in a new process (rebuild from ${ENTRIES.toLocaleString("en")} leaves, links and signed roots checked): ${((performance.now() - tRebuild) / 1000).toFixed(2)} s, size ${resumed?.treeSize}`,
    );
    global.gc?.();
    const t2 = performance.now();
    const result = await verifyTenantLedger(db, bigTenant.id, { sources: false, files: false });
    const verifyMs = performance.now() - t2;
    console.log(
      `Verify ${result.entries.toLocaleString("en")} entries (seq, links, entry hashes, Merkle root vs signed checkpoint): ${(verifyMs / 1000).toFixed(2)} s, ok=${result.ok}`,
    );

    // The raw SHA-256 time over the same canonical bytes each entry hash covers.
    const rows = owner<
      { tenantId: string; seq: string; kind: string; refId: string; createdAt: string; prevHash: string; record: Record<string, unknown> }[]
    >`
      select tenant_id as "tenantId", seq, kind, ref_id as "refId", created_at as "createdAt", prev_hash as "prevHash", record
        from ledger_entries where tenant_id = ${bigTenant.id} order by seq`.cursor(20_000);
    const texts: string[] = [];
    for await (const chunk of rows) {
      for (const r of chunk) {
        texts.push(
          canonicalJson({
            v: 1,
            tenantId: r.tenantId,
            seq: Number(r.seq),
            kind: r.kind,
            refId: r.refId,
            createdAt: r.createdAt,
            prevHash: r.prevHash,
            record: r.record,
          }),
        );
      }
    }
    const t3 = performance.now();
    for (const text of texts) {
      createHash("sha256").update(text).digest("hex");
      rawTotal += text.length;
    }
    const shaMs = performance.now() - t3;
    console.log(
      `Raw SHA-256 over the same ${(rawTotal / MiB).toFixed(0)} MB of canonical entries (already in memory): ${(shaMs / 1000).toFixed(2)} s; verify ÷ raw = ${(verifyMs / shaMs).toFixed(1)}×`,
    );
    texts.length = 0;

    // 4. Appends into the tenant with 1,000,000 entries, statistics still stale. The subtree hashes
    // are stored first, as the sealer would have stored them while the entries came in.
    const tSub = performance.now();
    const { storeSubtrees } = await import("@/lib/ledger/subtrees");
    await storeSubtrees(db, bigTenant.id, resumed!.treeSize);
    console.log(
      `\nStored the subtree hashes of ${resumed!.treeSize.toLocaleString("en")} leaves in ${((performance.now() - tSub) / 1000).toFixed(1)} s`,
    );
    await appendRun(bigTenant.id, `into the tenant with ${ENTRIES.toLocaleString("en")} entries (stale statistics)`);
  } finally {
    for (const child of children) await stopProcess(child);
    await owner.end();
    await superuser.end();
    await closeDb();
    await db.stop();
    fs.rmSync(objects, { recursive: true, force: true });
  }
}

/** A PDF-looking body of `size` bytes, produced 64 KB at a time (never held whole). */
function* pdfChunks(size: number, seed: number): Generator<Buffer> {
  const header = Buffer.from(`%PDF-1.7\n% bench ${seed}\n`);
  yield header;
  let left = size - header.length;
  const block = Buffer.alloc(64 * 1024, 0x20 + (seed % 50));
  while (left > 0) {
    const n = Math.min(left, block.length);
    yield block.subarray(0, n);
    left -= n;
  }
}

await main();
