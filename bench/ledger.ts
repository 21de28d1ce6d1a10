/**
 * npm run bench:ledger — ledger figures against a throwaway real PostgreSQL
 * and a local object store:
 *
 * 1. appends per second with 50 concurrent writers (each append is a real
 *    audited change in its own transaction) while the sealer runs, and a
 *    check that the chain neither forked nor skipped a number;
 * 2. peak memory growth while 10 files of 25 MB upload at once through the
 *    upload service (streamed into the store, hashed on the way);
 * 3. time to verify 1,000,000 entries (chain, hashes, Merkle root against the
 *    signed checkpoint), next to the raw SHA-256 time over the same bytes, and
 *    the time a freshly started sealer takes to rebuild the tree from every
 *    leaf before it signs again.
 *
 * Prints figures, asserts nothing. BENCH_LEDGER_ENTRIES and BENCH_APPENDS scale it.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import postgres from "postgres";
import { startScratchDatabase } from "@/db/scratch";
import { newLedgerSigningKey } from "@/lib/runtime/local-secrets";

const ENTRIES = Number(process.env.BENCH_LEDGER_ENTRIES ?? 1_000_000);
const APPENDS = Number(process.env.BENCH_APPENDS ?? 20_000);
const WRITERS = 50;
const MiB = 1024 * 1024;

async function main() {
  const db = await startScratchDatabase();
  const objects = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ledger-objects-"));
  Object.assign(process.env, {
    DATABASE_URL: db.appUrl,
    LOG_LEVEL: "silent",
    OBJECT_STORE_DIR: objects,
    LEDGER_SIGNING_KEY: newLedgerSigningKey(),
    NEXTAUTH_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    DATABASE_POOL_MAX: "50",
  });
  const { createTenant } = await import("@/lib/tenants/service");
  const { platformContext, userContext } = await import("@/lib/auth/context");
  const { recordAuditEvent } = await import("@/lib/audit/service");
  const { getDb, closeDb } = await import("@/db/client");
  const { forgetSignedStates, maintainLedger, sealTenant, writeCheckpoint } = await import("@/lib/ledger/chain");
  const { verifyTenantLedger } = await import("@/lib/ledger/verify");
  const { chainEntry } = await import("@/lib/ledger/entry");
  const { canonicalJson } = await import("@/lib/crypto/canonical-json");
  const { receiveUpload } = await import("@/lib/uploads/service");
  const owner = postgres(db.ownerUrl, { max: 2, onnotice: () => {} });

  try {
    const system = platformContext({ type: "system", name: "bench" });
    const appendTenant = await createTenant(system, { name: "Appends", slug: "appends" });
    const ctx = userContext({
      tenantId: appendTenant.id,
      role: "admin",
      user: { id: "00000000-0000-0000-0000-0000000000be", email: "bench@bench.test" },
    });
    const db = getDb();
    await sealTenant(db, appendTenant.id);
    const [{ before }] = await owner<
      { before: number }[]
    >`select count(*)::int as before from ledger_entries where tenant_id = ${appendTenant.id}`;

    // 1. Appends with 50 concurrent writers, sealed as they arrive.
    let writing = true;
    const sealer = (async () => {
      while (writing) {
        await maintainLedger(db);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const perWriter = Math.ceil(APPENDS / WRITERS);
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
    writing = false;
    await sealer;
    await sealTenant(db, appendTenant.id);
    const sealedAt = performance.now();
    const seqs = await owner<{ seq: string }[]>`select seq from ledger_entries where tenant_id = ${appendTenant.id} order by seq`;
    const forks = seqs.filter((r, i) => Number(r.seq) !== i + 1).length;
    const total = WRITERS * perWriter;
    console.log(`Appends: ${total.toLocaleString("en")} audited changes from ${WRITERS} concurrent writers`);
    console.log(
      `  written (committed) in ${((written - t0) / 1000).toFixed(2)} s = ${Math.round(total / ((written - t0) / 1000)).toLocaleString("en")} appends/s`,
    );
    console.log(
      `  all sealed into the chain after ${((sealedAt - t0) / 1000).toFixed(2)} s = ${Math.round(total / ((sealedAt - t0) / 1000)).toLocaleString("en")} appends/s end to end`,
    );
    console.log(`  chain: ${seqs.length - before} new entries, ${forks} out-of-place sequence numbers (forks or gaps)`);

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
    // 3. Verify 1,000,000 entries.
    const bigTenant = await createTenant(system, { name: "Big", slug: "big" });
    let prev: { seq: number; hash: string } | null = null;
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
  } finally {
    await owner.end();
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
