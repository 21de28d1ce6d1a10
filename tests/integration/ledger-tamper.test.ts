/**
 * The operator's tampering, case by case, against a verifier that holds the
 * auditor's trust file and one witness the operator does not control (running
 * in-process). Every case must be caught, naming the first bad entry or the
 * first bad checkpoint.
 */
import { appendFile, mkdtemp, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb } from "@/db/client";
import { recordAuditEvent } from "@/lib/audit/service";
import { resetConfigCache } from "@/lib/config";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import { verifyBundle } from "@/lib/ledger/bundle";
import { checkpointObjectKey, noteObjectKey, sealTenant, tenantOrigin, writeCheckpoint } from "@/lib/ledger/chain";
import { entryHash } from "@/lib/ledger/entry";
import { inclusionProof, leafHash, MerkleBuilder } from "@/lib/ledger/merkle";
import { signCheckpointNote } from "@/lib/ledger/note";
import { evidenceProofBundle, ledgerProof, ledgerTrustFile, verifyLedger } from "@/lib/ledger/service";
import { generateSigningKey, signCheckpoint, type SigningKey } from "@/lib/ledger/signing";
import { parseTrustFile } from "@/lib/ledger/trust";
import { createWitnessServer, openWitness } from "@/lib/ledger/witness-server";
import { witnessCheckpoints } from "@/lib/ledger/witnessing";
import { currentSigningKey } from "@/lib/ledger/keys";
import { getObjectStore } from "@/lib/storage";
import { POST as verifyRoute } from "@/app/api/v1/ledger/verify/route";
import { makeApiKeyCtx, makeIntegrationWithEvidence, makeTenant, type TestTenant } from "../helpers/factories";

let owner: postgres.Sql;
let server: Server;
let witnessDir: string;

beforeAll(async () => {
  owner = postgres(inject("ownerDatabaseUrl"), { max: 2, onnotice: () => {} });
  witnessDir = await mkdtemp(path.join(os.tmpdir(), "tamper-witness-"));
  const witness = await openWitness(witnessDir, { name: "auditor.example/witness" });
  server = createWitnessServer(witness);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const file = path.join(witnessDir, "witnesses.txt");
  await writeFile(file, `http://127.0.0.1:${port} ${witness.verifierKey}\n`);
  process.env.LEDGER_WITNESSES_FILE = file;
  process.env.LEDGER_WITNESS_QUORUM = "1";
  resetConfigCache();
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await owner?.end();
  delete process.env.LEDGER_WITNESSES_FILE;
  delete process.env.LEDGER_WITNESS_QUORUM;
  resetConfigCache();
});

const PDF = Buffer.from("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

async function audit(t: TestTenant, n: number) {
  for (let i = 0; i < n; i++) {
    await recordAuditEvent(getDb(), t.ctx("admin"), { entityType: "Tenant", action: "Update", entityName: `change ${i}`, details: "test" });
  }
}

/** Seals, signs a checkpoint and has the witness cosign it; returns the checkpoint's tree size. */
async function checkpointAndWitness(t: TestTenant): Promise<number> {
  await sealTenant(getDb(), t.id);
  const cp = (await writeCheckpoint(getDb(), t.id))!;
  await witnessCheckpoints(getDb());
  const [row] = await owner<{ n: number }[]>`
    select count(*)::int as n from ledger_cosignatures where tenant_id = ${t.id} and tree_size = ${cp.treeSize}`;
  const state = await owner`select last_error from ledger_witness_state where tenant_id = ${t.id}`;
  expect(row.n, `the witness cosigned checkpoint ${cp.treeSize} (${state[0]?.last_error ?? "not tried"})`).toBe(1);
  return cp.treeSize;
}

/**
 * A tenant with evidence and three witnessed checkpoints (A < B < C), the
 * trust file an auditor took at onboarding, and the witness enrolled for its log.
 */
async function witnessedTenant() {
  const t = await makeTenant();
  const trustText = await ledgerTrustFile(t.ctx("auditor"));
  await appendFile(path.join(witnessDir, "logs"), `${parseTrustFile(trustText).log}\n`);
  const { evidence } = await makeIntegrationWithEvidence(t, { pdfName: "review.pdf", pdf: PDF });
  const A = await checkpointAndWitness(t);
  await audit(t, 6);
  const B = await checkpointAndWitness(t);
  await audit(t, 6);
  const C = await checkpointAndWitness(t);
  return { t, trustText, evidence, A, B, C };
}

/** Runs SQL as the table owner with the append-only triggers off, as an operator with the database could. */
async function tamper(tables: string[], statement: (sql: postgres.TransactionSql) => Promise<unknown>) {
  await owner.begin(async (tx) => {
    for (const table of tables) await tx.unsafe(`alter table ${table} disable trigger user`);
    await statement(tx);
    for (const table of tables) await tx.unsafe(`alter table ${table} enable trigger user`);
  });
}

async function trustedProblems(t: TestTenant, trustText: string) {
  const result = await verifyLedger(t.ctx("auditor"), { trust: trustText });
  expect(result.ok).toBe(false);
  return result.problems;
}

type Row = { seq: string; kind: string; refId: string; createdAt: string; prevHash: string; hash: string; record: string };
async function rows(tenantId: string): Promise<Row[]> {
  return owner<Row[]>`
    select seq, kind, ref_id as "refId", created_at as "createdAt", prev_hash as "prevHash", hash, record
      from ledger_entries where tenant_id = ${tenantId} order by seq`;
}

/** Re-signs the checkpoint of `size` over the entries now in the database, in the database and the object store. */
async function resign(tx: postgres.TransactionSql, tenantId: string, size: number, key: SigningKey) {
  const hashes = await tx<{ hash: string }[]>`
    select hash from ledger_entries where tenant_id = ${tenantId} and seq <= ${size} order by seq`;
  const builder = new MerkleBuilder();
  for (const h of hashes) builder.push(leafHash(h.hash));
  const signed = signCheckpoint(
    { v: 1, tenantId, treeSize: size, rootHash: builder.root().toString("hex"), createdAt: new Date().toISOString(), keyId: key.keyId },
    key.privateKeyPem,
  );
  const frontier = JSON.stringify(builder.snapshot().frontier.map((b) => b.toString("hex")));
  await tx`update ledger_checkpoints set root_hash = ${signed.rootHash}, key_id = ${signed.keyId}, signature = ${signed.signature},
             created_at = ${signed.createdAt}, frontier = ${frontier}
           where tenant_id = ${tenantId} and tree_size = ${size}`;
  const objectKey = checkpointObjectKey(tenantId, size);
  await getObjectStore().put(objectKey, canonicalJson({ ...signed }), { contentType: "application/json" });
  const origin = await tenantOrigin(getDb(), tenantId);
  await getObjectStore().put(
    noteObjectKey(objectKey),
    signCheckpointNote({ origin, treeSize: size, rootHash: builder.root() }, key.privateKeyPem),
  );
}

/**
 * Forges the audit event behind the first audit entry from seq 10 on (its row
 * and its entry, so the sources agree) and recomputes every hash after it.
 */
async function rewriteFrom10(tx: postgres.TransactionSql, tenantId: string): Promise<number> {
  const all = await rows(tenantId);
  const target = all.find((r) => Number(r.seq) >= 10 && r.kind === "audit")!;
  await tx`update audit_events set details = 'nothing happened here' where id = ${target.refId}`;
  const [{ record }] = await tx<
    { record: unknown }[]
  >`select ledger_record_audit(a) as record from audit_events a where id = ${target.refId}`;
  let prevHash = all[Number(target.seq) - 2].hash;
  for (const r of all.slice(Number(target.seq) - 1)) {
    const rec = r.seq === target.seq ? (record as Record<string, unknown>) : JSON.parse(r.record);
    const hash = entryHash({
      tenantId,
      seq: Number(r.seq),
      kind: r.kind as "audit",
      refId: r.refId,
      createdAt: r.createdAt,
      prevHash,
      record: rec,
    });
    await tx`update ledger_entries set prev_hash = ${prevHash}, hash = ${hash}, record = ${canonicalJson(rec)}
             where tenant_id = ${tenantId} and seq = ${r.seq}`;
    prevHash = hash;
  }
  // The proof cache would give the forgery away to the badge; the operator clears it too.
  await tx`delete from ledger_subtrees where tenant_id = ${tenantId}`;
  return Number(target.seq);
}

describe("ledger verification with a trust file and a witness", () => {
  it("passes an intact ledger, and the bundle verifies offline against the trust file, by file name as well as hash", async () => {
    const { t, trustText, evidence, C } = await witnessedTenant();
    const result = await verifyLedger(t.ctx("auditor"), { trust: trustText });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);

    const trust = parseTrustFile(trustText);
    const bundle = await evidenceProofBundle(t.ctx("auditor"), evidence.id);
    expect(bundle.checkpoint.treeSize).toBe(C);
    expect(bundle.witnessed?.previous).not.toBeNull();
    expect(bundle.neighbours?.length).toBeGreaterThan(0);
    const pdfSha = evidence.files[0].sha256;
    const local = new Map([["copy", { sha256: pdfSha, size: PDF.length, name: "review.pdf" }]]);
    expect(verifyBundle(bundle, { trust, files: local })).toMatchObject({ ok: true, keySource: "trusted" });

    const renamed = verifyBundle(bundle, { trust, files: new Map([["copy", { sha256: pdfSha, size: PDF.length, name: "approved.pdf" }]]) });
    expect(renamed.ok).toBe(false);
    expect(renamed.problems[0].reason).toMatch(/belongs to "review.pdf" in the bundle, not "approved.pdf"/);

    const renamedInBundle = structuredClone(bundle);
    renamedInBundle.manifest = { "approved.pdf": pdfSha };
    expect(
      verifyBundle(renamedInBundle, { trust })
        .problems.map((p) => p.reason)
        .join("\n"),
    ).toMatch(/manifest: "approved.pdf"/);

    // A bundle re-signed with a key of the operator's choosing fails against the pinned key.
    const forgedKey = generateSigningKey();
    const forged = structuredClone(bundle);
    forged.checkpoint = signCheckpoint({ ...bundle.checkpoint, keyId: forgedKey.keyId }, forgedKey.privateKeyPem);
    forged.publicKeys = [{ keyId: forgedKey.keyId, publicKeyPem: forgedKey.publicKeyPem }];
    expect(verifyBundle(forged, { trust }).problems[0].reason).toMatch(/not a trusted key/);

    // Proofs come from stored subtree hashes; they are the RFC 9162 proofs over all leaves.
    const leaves = (await rows(t.id)).slice(0, C).map((r) => leafHash(r.hash));
    const proof = await ledgerProof(t.ctx("auditor"), { seq: 7 });
    expect(proof.proof).toEqual(inclusionProof(6, leaves).map((b) => b.toString("base64")));
  }, 60_000);

  it("catches the newest entries deleted together with their newest checkpoint (database and object store)", async () => {
    const { t, trustText, B, C } = await witnessedTenant();
    await tamper(["ledger_entries", "ledger_checkpoints", "ledger_cosignatures"], async (tx) => {
      await tx`delete from ledger_entries where tenant_id = ${t.id} and seq > ${B}`;
      await tx`delete from ledger_checkpoints where tenant_id = ${t.id} and tree_size > ${B}`;
      await tx`delete from ledger_cosignatures where tenant_id = ${t.id} and tree_size > ${B}`;
      await tx`delete from ledger_subtrees where tenant_id = ${t.id}`;
    });
    const key = checkpointObjectKey(t.id, C);
    await getObjectStore().delete(key);
    await getObjectStore().delete(noteObjectKey(key));
    // Without the trust file the shortened ledger looks whole.
    expect((await verifyLedger(t.ctx("auditor"))).problems.filter((p) => p.seq !== undefined)).toEqual([]);

    const problems = await trustedProblems(t, trustText);
    expect(problems[0]).toMatchObject({ seq: B + 1 });
    expect(problems[0].reason).toMatch(
      new RegExp(`witness auditor.example/witness cosigned a tree of ${C} entries, but the ledger holds only`),
    );
  }, 60_000);

  it("catches an older checkpoint file edited in the object store", async () => {
    const { t, trustText, A } = await witnessedTenant();
    const key = checkpointObjectKey(t.id, A);
    const chunks: Buffer[] = [];
    for await (const c of await getObjectStore().get(key)) chunks.push(Buffer.from(c));
    const json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    json.createdAt = "2020-01-01T00:00:00.000Z";
    await getObjectStore().put(key, canonicalJson(json), { contentType: "application/json" });
    expect((await verifyLedger(t.ctx("auditor"))).ok).toBe(true);

    const problems = await trustedProblems(t, trustText);
    expect(problems[0]).toMatchObject({ checkpoint: A });
    expect(problems[0].reason).toMatch(new RegExp(`checkpoint of tree size ${A} in object storage differs from the database`));

    // The API verify takes the trust file in the request body and says the same.
    const { secret } = await makeApiKeyCtx(t, ["ledger:read"]);
    const res = await verifyRoute(
      new Request("http://localhost/api/v1/ledger/verify", {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: JSON.stringify({ trust: trustText }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { ok: boolean; problems: { checkpoint?: number; reason: string }[] } };
    expect(body.data.ok).toBe(false);
    expect(body.data.problems[0]).toMatchObject({ checkpoint: A });
  }, 60_000);

  it("catches a key inserted into ledger_keys by the owner and the newest checkpoint re-signed with it", async () => {
    const { t, trustText, C } = await witnessedTenant();
    const key = generateSigningKey();
    await owner`insert into ledger_keys (key_id, public_key_pem) values (${key.keyId}, ${key.publicKeyPem})`;
    await tamper(["ledger_checkpoints"], (tx) => resign(tx, t.id, C, key));
    expect((await verifyLedger(t.ctx("auditor"))).ok).toBe(true);

    const problems = await trustedProblems(t, trustText);
    expect(problems[0]).toMatchObject({ checkpoint: C });
    expect(problems[0].reason).toMatch(new RegExp(`signed with key ${key.keyId}, which is neither the pinned log key nor reached from it`));
  }, 60_000);

  it("catches entries from 10 on rewritten with recomputed hashes and checkpoints re-signed with a new key", async () => {
    const { t, trustText, A, B, C } = await witnessedTenant();
    const key = generateSigningKey();
    await owner`insert into ledger_keys (key_id, public_key_pem) values (${key.keyId}, ${key.publicKeyPem})`;
    let from = 0;
    await tamper(["ledger_entries", "ledger_checkpoints", "audit_events"], async (tx) => {
      from = await rewriteFrom10(tx, t.id);
      for (const size of [A, B, C]) if (size >= from) await resign(tx, t.id, size, key);
    });
    expect((await verifyLedger(t.ctx("auditor"))).ok).toBe(true);

    const firstBad = [A, B, C].find((s) => s >= from)!;
    const problems = await trustedProblems(t, trustText);
    expect(problems[0]).toMatchObject({ checkpoint: firstBad });
    expect(problems.some((p) => p.checkpoint === firstBad && /not the one witness auditor.example\/witness cosigned/.test(p.reason))).toBe(
      true,
    );
  }, 60_000);

  it("catches the same rewrite signed by the app's own sealer, with no new key and the cosignatures removed", async () => {
    const { t, trustText, A, B, C } = await witnessedTenant();
    // Signed with the key the app's sealer holds: whoever runs the server has it, whether or not the sealer would sign.
    const appKey = currentSigningKey();
    await tamper(["ledger_entries", "ledger_checkpoints", "ledger_cosignatures", "audit_events"], async (tx) => {
      const from = await rewriteFrom10(tx, t.id);
      const forged = [A, B, C].filter((s) => s >= from);
      for (const size of forged) await resign(tx, t.id, size, appKey);
      await tx`delete from ledger_cosignatures where tenant_id = ${t.id} and tree_size = any(${forged})`;
    });
    // The witness refuses to cosign the fork when the sealer submits it.
    await witnessCheckpoints(getDb());
    expect((await verifyLedger(t.ctx("auditor"))).ok).toBe(true);

    const problems = await trustedProblems(t, trustText);
    expect(problems[0]).toMatchObject({ checkpoint: C });
    expect(problems.some((p) => p.checkpoint === C && /history was rewritten/.test(p.reason))).toBe(true);
  }, 60_000);

  it("catches a flipped byte in an evidence file, and the app refuses to serve its bundle, saying why", async () => {
    const { t, trustText, evidence } = await witnessedTenant();
    const entry = (await rows(t.id)).find((r) => r.kind === "evidence" && r.refId === evidence.id)!;
    const seq = Number(entry.seq);
    const file = (JSON.parse(entry.record) as { files: { objectKey: string }[] }).files[0];
    const chunks: Buffer[] = [];
    for await (const c of await getObjectStore().get(file.objectKey)) chunks.push(Buffer.from(c));
    const bytes = Buffer.concat(chunks);
    bytes[3] ^= 0x01;
    await getObjectStore().put(file.objectKey, bytes);

    const problems = await trustedProblems(t, trustText);
    expect(problems[0]).toMatchObject({ seq });
    expect(problems[0].reason).toMatch(/file "review.pdf" changed/);
    await expect(evidenceProofBundle(t.ctx("auditor"), evidence.id)).rejects.toMatchObject({
      code: "conflict:proof_bundle",
      message: expect.stringMatching(/does not verify, so it is not served: File "review.pdf" changed since it was recorded/),
    });
  }, 60_000);

  it("catches an edited evidence manifest", async () => {
    const { t, trustText, evidence } = await witnessedTenant();
    const seq = Number((await rows(t.id)).find((r) => r.kind === "evidence" && r.refId === evidence.id)!.seq);
    await getObjectStore().put(`tenants/${t.id}/evidence/${evidence.id}/manifest.json`, '{"files":[]}');
    const problems = await trustedProblems(t, trustText);
    expect(problems[0]).toMatchObject({ seq });
    expect(problems[0].reason).toMatch(/evidence manifest in object storage was edited/);
  }, 60_000);

  it("catches an edited ledger row", async () => {
    const { t, trustText } = await witnessedTenant();
    await tamper(
      ["ledger_entries"],
      (tx) => tx`
      update ledger_entries set record = replace(record, '"test"', '"edited"') where tenant_id = ${t.id} and seq = 12`,
    );
    const problems = await trustedProblems(t, trustText);
    expect(problems[0]).toMatchObject({ seq: 12 });
  }, 60_000);

  it("catches an entry deleted from the middle", async () => {
    const { t, trustText } = await witnessedTenant();
    await tamper(["ledger_entries"], (tx) => tx`delete from ledger_entries where tenant_id = ${t.id} and seq = 5`);
    const problems = await trustedProblems(t, trustText);
    expect(problems[0]).toMatchObject({ seq: 5 });
    expect(problems[0].reason).toMatch(/entries 5–5 are missing/);
  }, 60_000);

  it("catches two middle entries swapped", async () => {
    const { t, trustText } = await witnessedTenant();
    await tamper(["ledger_entries"], async (tx) => {
      await tx`update ledger_entries set seq = -1 where tenant_id = ${t.id} and seq = 5`;
      await tx`update ledger_entries set seq = 5 where tenant_id = ${t.id} and seq = 6`;
      await tx`update ledger_entries set seq = 6 where tenant_id = ${t.id} and seq = -1`;
    });
    const problems = await trustedProblems(t, trustText);
    expect(problems[0]).toMatchObject({ seq: 5 });
  }, 60_000);

  it("catches the newest entry deleted before a checkpoint covered it: its audit event has no entry", async () => {
    const { t, C } = await witnessedTenant();
    await audit(t, 1);
    await sealTenant(getDb(), t.id);
    const newest = (await rows(t.id)).at(-1)!;
    expect(Number(newest.seq)).toBe(C + 1);
    await tamper(["ledger_entries"], (tx) => tx`delete from ledger_entries where tenant_id = ${t.id} and seq = ${C + 1}`);
    const result = await verifyLedger(t.ctx("auditor"));
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.reason)).toContain(
      `the audit event ${newest.refId} has no ledger entry: its entry was deleted or never written`,
    );
  }, 60_000);

  it("refuses a trust file it cannot read, naming the line", async () => {
    const t = await makeTenant();
    await expect(verifyLedger(t.ctx("auditor"), { trust: "log not-a-key\n" })).rejects.toMatchObject({
      code: "bad_request:trust_file",
      message: expect.stringMatching(/line 1: the log key is not a note verifier key/),
    });
  });
});
