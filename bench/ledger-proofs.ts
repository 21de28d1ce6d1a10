/**
 * npm run bench:ledger-proofs — the per-evidence badge and proof bundle of one
 * entry in a ledger of 1,000,000 (BENCH_LEDGER_ENTRIES), against a throwaway
 * real PostgreSQL and a local object store: a real evidence record near the
 * start of the chain, a million chained entries after it, a signed checkpoint
 * and its stored subtree hashes; one witness (scripts/ledger-witness.ts, a
 * process of its own) has cosigned a checkpoint before the million and the one
 * after, so the bundle carries both with a consistency proof. Prints the time
 * to store the subtree hashes and the median, 95th percentile and worst of 100 badges
 * and 100 bundles (BENCH_RUNS). Asserts nothing.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import postgres from "postgres";
import { startScratchDatabase } from "@/db/scratch";
import { newLedgerSigningKey } from "@/lib/runtime/local-secrets";
import { startWitness, stopProcess, type Proc } from "./processes";

const ENTRIES = Number(process.env.BENCH_LEDGER_ENTRIES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 100);

async function main() {
  const scratch = await startScratchDatabase();
  const objects = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ledger-proofs-"));
  Object.assign(process.env, {
    DATABASE_URL: scratch.appUrl,
    LOG_LEVEL: "silent",
    OBJECT_STORE_DIR: objects,
    LEDGER_SIGNING_KEY: newLedgerSigningKey(),
    NEXTAUTH_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    NEXTAUTH_URL: "http://127.0.0.1:3000",
  });
  let witness: Proc | undefined;
  const { createTenant } = await import("@/lib/tenants/service");
  const { actingInTenant, platformContext, userContext } = await import("@/lib/auth/context");
  const { addMemberDirectly } = await import("@/lib/members/internal");
  const { getDb, closeDb } = await import("@/db/client");
  const { sealTenant, tenantOrigin, writeCheckpoint } = await import("@/lib/ledger/chain");
  const { verifierKey } = await import("@/lib/ledger/note");
  const { currentSigningKey } = await import("@/lib/ledger/keys");
  const { witnessCheckpoints } = await import("@/lib/ledger/witnessing");
  const { resetConfigCache } = await import("@/lib/config");
  const { storeSubtrees } = await import("@/lib/ledger/subtrees");
  const { chainEntry } = await import("@/lib/ledger/entry");
  const { canonicalJson } = await import("@/lib/crypto/canonical-json");
  const { receiveUpload } = await import("@/lib/uploads/service");
  const { createIntegration } = await import("@/lib/integrations/service");
  const { getEvidenceForSync } = await import("@/lib/evidence/service");
  const { evidenceProofBundle, verifyEvidenceRecord } = await import("@/lib/ledger/service");
  const owner = postgres(scratch.ownerUrl, { max: 2, onnotice: () => {} });
  try {
    const system = platformContext({ type: "system", name: "bench" });
    const tenant = await createTenant(system, { name: "Proofs", slug: "proofs" });
    const member = await addMemberDirectly(actingInTenant(system, tenant.id), {
      email: "bench@bench.test",
      role: "admin",
      password: "bench-password-123",
    });
    const ctx = (role: "operator" | "auditor") =>
      userContext({ tenantId: tenant.id, role, user: { id: member.userId, email: "bench@bench.test" } });
    const csv = Buffer.from("externalId,username\n1,a\n");
    const source = await receiveUpload(ctx("operator"), {
      purpose: "csv",
      filename: "a.csv",
      contentLength: csv.length,
      body: Readable.from([csv]),
    });
    const pdf = Buffer.from("%PDF-1.7\n%%EOF\n");
    const file = await receiveUpload(ctx("operator"), {
      purpose: "evidence",
      filename: "proof.pdf",
      contentLength: pdf.length,
      body: Readable.from([pdf]),
    });
    const { sync } = await createIntegration(ctx("operator"), {
      name: "Bench",
      connector: "csv",
      config: { files: { accounts: source.key } },
      evidence: { notes: "bench", uploadIds: [file.id] },
    });
    const evidence = (await getEvidenceForSync(ctx("auditor"), sync!.id))!;
    const db = getDb();
    await sealTenant(db, tenant.id);

    // The witness, and its cosignature of the checkpoint before the million.
    const w = await startWitness([verifierKey(await tenantOrigin(db, tenant.id), currentSigningKey().publicKeyPem)]);
    witness = w;
    resetConfigCache();
    await writeCheckpoint(db, tenant.id);
    if ((await witnessCheckpoints(db)).cosigned !== 1) throw new Error(`the witness did not cosign:\n${w.log()}`);
    const [last] = await owner<{ seq: string; hash: string }[]>`
      select seq, hash from ledger_entries where tenant_id = ${tenant.id} order by seq desc limit 1`;
    let prev: { seq: number; hash: string } = { seq: Number(last.seq), hash: last.hash };

    const t0 = performance.now();
    for (let start = 0; start < ENTRIES; start += 50_000) {
      let copy = "";
      for (let i = start; i < Math.min(ENTRIES, start + 50_000); i++) {
        const record = { id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, action: "Update", details: `change ${i}` };
        const entry = chainEntry(prev, {
          tenantId: tenant.id,
          kind: "audit",
          refId: record.id,
          createdAt: new Date(1_700_000_000_000 + i).toISOString(),
          record,
        });
        prev = entry;
        copy += `${tenant.id}\t${entry.seq}\taudit\t${entry.refId}\t${entry.createdAt}\t${entry.prevHash}\t${entry.hash}\t${canonicalJson(record)}\n`;
      }
      const w = await owner`copy ledger_entries (tenant_id, seq, kind, ref_id, created_at, prev_hash, hash, record) from stdin`.writable();
      w.end(copy);
      await new Promise((resolve, reject) => w.on("finish", resolve).on("error", reject));
    }
    console.log(`Loaded ${ENTRIES.toLocaleString("en")} chained entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const cp = (await writeCheckpoint(db, tenant.id))!;
    const t1 = performance.now();
    const stored = await storeSubtrees(db, tenant.id, cp.treeSize);
    console.log(
      `Stored ${stored.toLocaleString("en")} subtree hashes for tree size ${cp.treeSize.toLocaleString("en")} in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );
    if ((await witnessCheckpoints(db)).cosigned !== 1) throw new Error(`the witness did not cosign:\n${w.log()}`);

    const time = async (what: string, run: () => Promise<unknown>) => {
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await run();
        ms.push(performance.now() - t);
      }
      ms.sort((a, b) => a - b);
      const at = (p: number) => ms[Math.min(RUNS - 1, Math.floor((p / 100) * RUNS))].toFixed(1);
      console.log(
        `${what}: median ${at(50)} ms, p95 ${at(95)} ms, worst ${ms[RUNS - 1].toFixed(1)} ms (${RUNS} runs, load ${os.loadavg()[0].toFixed(1)})`,
      );
    };
    const { sql } = await import("drizzle-orm");
    await time("One database round trip (select 1), for scale", () => db.execute(sql`select 1`));
    const badge = await verifyEvidenceRecord(ctx("auditor"), evidence.id);
    if (badge.status !== "verified") throw new Error(`the badge did not verify: ${JSON.stringify(badge)}`);
    await time(`Badge of one evidence entry in a ledger of ${cp.treeSize.toLocaleString("en")}`, () =>
      verifyEvidenceRecord(ctx("auditor"), evidence.id),
    );
    await time(`Proof bundle of the same entry`, () => evidenceProofBundle(ctx("auditor"), evidence.id));
    await time("  of which sealing first (sealTenant)", () => sealTenant(db, tenant.id));
    const { storedInclusionProofs } = await import("@/lib/ledger/subtrees");
    await time("  of which the inclusion proofs from stored subtrees", () => storedInclusionProofs(db, tenant.id, [5, 6, 7], cp.treeSize));
  } finally {
    await stopProcess(witness);
    await owner.end();
    await closeDb();
    await scratch.stop();
    fs.rmSync(objects, { recursive: true, force: true });
  }
}

await main();
