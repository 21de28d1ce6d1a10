/**
 * The sealer signs only a ledger that extends what it signed before, and only
 * with a key the key before it vouched for. Each test plays an operator with
 * the schema owner's credentials (append-only triggers switched off, as the
 * owner may) and checks that the next checkpoint is refused, loudly: an audit
 * event, a red health check, the Ledger page's banner.
 *
 * Runs in a database of its own: signing keys are install-wide, and a flagged
 * tenant turns /api/health red for every test sharing the database.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { recordAuditEvent } from "@/lib/audit/service";
import { resetConfigCache } from "@/lib/config";
import { checkHealth } from "@/lib/health/service";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import { forgetSignedStates, sealTenant, writeCheckpoint } from "@/lib/ledger/chain";
import { entryHash } from "@/lib/ledger/entry";
import { currentRegisteredKey, currentSigningKey, ledgerKeyRecords, parseSigningKey, rotateSigningKey } from "@/lib/ledger/keys";
import { signCheckpointNote } from "@/lib/ledger/note";
import { makeRotationStatement, trustedKeys } from "@/lib/ledger/rotation";
import { ledgerIntegrityAlert, ledgerOverview } from "@/lib/ledger/service";
import { generateSigningKey, signCheckpoint } from "@/lib/ledger/signing";
import { newLedgerSigningKey } from "@/lib/runtime/local-secrets";
import { getObjectStore } from "@/lib/storage";
import { auditRows, makeTenant, type TestTenant } from "../helpers/factories";
import { useOwnDatabase } from "../helpers/own-database";

let own: Awaited<ReturnType<typeof useOwnDatabase>>;
let owner: postgres.Sql;
let app: postgres.Sql;
const runKey = process.env.LEDGER_SIGNING_KEY!;

beforeAll(async () => {
  own = await useOwnDatabase("sealer");
  owner = postgres(own.ownerUrl, { max: 2, onnotice: () => {} });
  app = postgres(own.appUrl, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  process.env.LEDGER_SIGNING_KEY = runKey;
  resetConfigCache();
  await app?.end({ timeout: 5 });
  await owner?.end({ timeout: 5 });
  await own?.drop();
});

async function append(t: TestTenant, n = 1) {
  for (let i = 0; i < n; i++) {
    await recordAuditEvent(getDb(), t.ctx("admin"), { entityType: "Tenant", action: "Update", entityName: `change ${i}`, details: "x" });
  }
  await sealTenant(getDb(), t.id);
  const [{ size }] = await owner<
    { size: number }[]
  >`select coalesce(max(seq), 0)::int as size from ledger_entries where tenant_id = ${t.id}`;
  return size;
}

/** Grows the tenant's chain to exactly `size` entries, one audit event at a time. */
async function growTo(t: TestTenant, size: number) {
  let now = await append(t, 0);
  while (now < size) now = await append(t);
  expect(now).toBe(size);
}

/** A tenant with checkpoints at 9 and 25 entries, both signed by this process. */
async function tenantWithCheckpoints() {
  const t = await makeTenant();
  await growTo(t, 9);
  expect((await writeCheckpoint(getDb(), t.id))?.treeSize).toBe(9);
  await growTo(t, 25);
  expect((await writeCheckpoint(getDb(), t.id))?.treeSize).toBe(25);
  return t;
}

/** Runs SQL as the schema owner with a table's append-only triggers off, as the operator can. */
async function asOperator(tables: string[], statement: (tx: postgres.TransactionSql) => Promise<unknown>) {
  await owner.begin(async (tx) => {
    for (const table of tables) await tx.unsafe(`alter table ${table} disable trigger user`);
    await statement(tx);
    for (const table of tables) await tx.unsafe(`alter table ${table} enable trigger user`);
  });
}

/** Rewrites entries from `from` on with other records and recomputed hashes, each linked to the one before. */
async function rewriteFrom(tenantId: string, from: number) {
  await asOperator(["ledger_entries"], async (tx) => {
    const rows = await tx<{ seq: string; kind: string; refId: string; createdAt: string; prevHash: string; record: string }[]>`
      select seq, kind, ref_id as "refId", created_at as "createdAt", prev_hash as "prevHash", record
        from ledger_entries where tenant_id = ${tenantId} and seq >= ${from} order by seq`;
    let prevHash = rows[0].prevHash;
    for (const row of rows) {
      const record = { ...JSON.parse(row.record), details: "rewritten" };
      const entry = { tenantId, seq: Number(row.seq), kind: row.kind, refId: row.refId, createdAt: row.createdAt, prevHash, record };
      const hash = entryHash(entry as Parameters<typeof entryHash>[0]);
      await tx`update ledger_entries set record = ${canonicalJson(record)}, prev_hash = ${prevHash}, hash = ${hash}
                where tenant_id = ${tenantId} and seq = ${row.seq}`;
      prevHash = hash;
    }
  });
}

async function expectRefused(t: TestTenant, message: RegExp) {
  await append(t);
  await expect(writeCheckpoint(getDb(), t.id)).rejects.toMatchObject({
    code: "unavailable:ledger_integrity",
    message: expect.stringMatching(message),
  });
  const [{ size }] = await owner<{ size: number }[]>`select max(tree_size)::int as size from ledger_checkpoints where tenant_id = ${t.id}`;
  return size;
}

describe("sign only what was verified", () => {
  it("refuses to sign entries rewritten from 10 on with recomputed hashes; audits it, turns health red, shows the banner", async () => {
    const t = await tenantWithCheckpoints();
    expect((await checkHealth()).ledger).toMatchObject({ status: "up" });
    await rewriteFrom(t.id, 10);

    const size = await expectRefused(t, /checkpoint 25/);
    expect(size).toBe(25); // nothing new signed
    const [event] = await auditRows(t.id, "Ledger", "IntegrityFailure");
    expect(event).toMatchObject({ actorType: "system", details: expect.stringMatching(/entries 10 to 25/) });

    const health = await checkHealth();
    expect(health.ok).toBe(false);
    expect(health.ledger).toMatchObject({ status: "down", error: expect.stringMatching(/signing stopped for 1 tenant/) });

    const overview = await ledgerOverview(t.ctx("auditor"));
    expect(overview.integrity).toMatchObject({ subject: "Checkpoint 25", reason: expect.stringMatching(/entries 10 to 25/) });
    await expect(ledgerIntegrityAlert(t.ctx("operator"))).rejects.toMatchObject({ code: expect.stringMatching(/^forbidden/) });

    // Appends go on; signing stays stopped, with one audit event however often the sealer tries.
    await append(t, 3);
    await expect(writeCheckpoint(getDb(), t.id)).rejects.toMatchObject({ code: "unavailable:ledger_integrity" });
    expect(await auditRows(t.id, "Ledger", "IntegrityFailure")).toHaveLength(1);
  });

  it("refuses the same rewrite after a restart, by rebuilding the tree from every leaf", async () => {
    const t = await tenantWithCheckpoints();
    await rewriteFrom(t.id, 10);
    forgetSignedStates();
    await expectRefused(t, /checkpoint 25/);
    expect((await ledgerIntegrityAlert(t.ctx("admin")))?.subject).toBe("Checkpoint 25");
  });

  it("refuses when the newest entries and their checkpoint are deleted", async () => {
    const t = await tenantWithCheckpoints();
    await asOperator(["ledger_entries", "ledger_checkpoints"], async (tx) => {
      await tx`delete from ledger_entries where tenant_id = ${t.id} and seq > 9`;
      await tx`delete from ledger_checkpoints where tenant_id = ${t.id} and tree_size > 9`;
    });
    await getObjectStore().delete(`tenants/${t.id}/ledger/checkpoints/000000000025.json`);
    expect(await expectRefused(t, /checkpoint 25, signed by this sealer, is gone/)).toBe(9);
    expect((await ledgerIntegrityAlert(t.ctx("auditor")))?.subject).toBe("Checkpoint 25");
  });

  it("refuses when the newest checkpoint's signed note in object storage was replaced", async () => {
    const t = await tenantWithCheckpoints();
    const key = `tenants/${t.id}/ledger/checkpoints/000000000025.note`;
    const chunks: Buffer[] = [];
    for await (const chunk of await getObjectStore().get(key)) chunks.push(Buffer.from(chunk));
    const origin = Buffer.concat(chunks).toString("utf8").split("\n")[0];
    const forged = signCheckpointNote({ origin, treeSize: 25, rootHash: Buffer.alloc(32, 9) }, generateSigningKey().privateKeyPem);
    await getObjectStore().put(key, forged, { contentType: "text/plain; charset=utf-8" });
    await expectRefused(t, /checkpoint 25 has a note that does not verify/);
  });

  it("refuses a newest checkpoint re-signed with a key slipped into ledger_keys", async () => {
    const t = await tenantWithCheckpoints();
    const evil = generateSigningKey();
    await owner`insert into ledger_keys (key_id, public_key_pem) values (${evil.keyId}, ${evil.publicKeyPem})`;
    const [cp] = await owner<{ treeSize: number; rootHash: string; createdAt: string }[]>`
      select tree_size::int as "treeSize", root_hash as "rootHash", created_at as "createdAt"
        from ledger_checkpoints where tenant_id = ${t.id} and tree_size = 25`;
    const forged = signCheckpoint({ v: 1, tenantId: t.id, ...cp, keyId: evil.keyId }, evil.privateKeyPem);
    await asOperator(
      ["ledger_checkpoints"],
      (tx) =>
        tx`update ledger_checkpoints set key_id = ${evil.keyId}, signature = ${forged.signature} where tenant_id = ${t.id} and tree_size = 25`,
    );
    forgetSignedStates();
    await expectRefused(t, /checkpoint 25 is signed by key .* not this sealer's key/);
    expect(trustedKeys(currentSigningKey().publicKeyPem, await ledgerKeyRecords(getDb()))).not.toContain(evil.keyId);
  });
});

describe("least-privilege keys", () => {
  it("refuses a signing key inserted without a rotation statement, and the function refuses to register it bare", async () => {
    const t = await makeTenant();
    await append(t);
    await writeCheckpoint(getDb(), t.id);
    const bare = newLedgerSigningKey();
    const key = parseSigningKey(bare);
    await expect(app`select ledger_register_key(${key.keyId}, ${key.publicKeyPem})`).rejects.toMatchObject({
      code: "42501",
      message: expect.stringMatching(/needs a rotation statement/),
    });
    await expect(app`insert into ledger_keys (key_id, public_key_pem) values (${key.keyId}, ${key.publicKeyPem})`).rejects.toMatchObject({
      code: "42501",
    });
    await expect(app`insert into ledger_checkpoints (tenant_id, tree_size, root_hash, key_id, signature, created_at, object_key, frontier)
      values (${t.id}, 1, ${"0".repeat(64)}, ${key.keyId}, 'x', 'x', 'x', '[]')`).rejects.toMatchObject({ code: "42501" });

    process.env.LEDGER_SIGNING_KEY = bare;
    resetConfigCache();
    try {
      await append(t);
      // Not registered at all: refused before anything is signed.
      await expect(writeCheckpoint(getDb(), t.id)).rejects.toMatchObject({
        code: "unavailable:ledger_key",
        message: expect.stringMatching(/rotation statement/),
      });
      // Written straight into the table by the owner: still refused.
      await owner`insert into ledger_keys (key_id, public_key_pem) values (${key.keyId}, ${key.publicKeyPem})`;
      await expect(writeCheckpoint(getDb(), t.id)).rejects.toMatchObject({
        code: "unavailable:ledger_key",
        message: expect.stringMatching(/without a valid rotation statement/),
      });
      const [{ n }] = await owner<{ n: number }[]>`select count(*)::int as n from ledger_checkpoints where key_id = ${key.keyId}`;
      expect(n).toBe(0);
    } finally {
      process.env.LEDGER_SIGNING_KEY = runKey;
      resetConfigCache();
    }
  });

  it("accepts a rotation signed by the current key, and checkpoints continue under the new key", async () => {
    const t = await tenantWithCheckpoints();
    const before = currentSigningKey();
    const next = newLedgerSigningKey();
    // A statement signed by some other key is refused by the database already when it does not name the current key.
    const stranger = generateSigningKey();
    const wrong = makeRotationStatement(stranger.privateKeyPem, parseSigningKey(next).publicKeyPem);
    await expect(
      app`select ledger_register_key(${wrong.newKeyId}, ${parseSigningKey(next).publicKeyPem}, ${wrong.statement}, ${wrong.signature})`,
    ).rejects.toMatchObject({ code: "42501", message: expect.stringMatching(/must name the current key/) });

    const rotation = await rotateSigningKey(getDb(), before, parseSigningKey(next));
    expect(rotation.oldKeyId).toBe(before.keyId);
    process.env.LEDGER_SIGNING_KEY = next;
    resetConfigCache();
    try {
      forgetSignedStates(); // as after the restart that picks up the new key
      await append(t);
      const cp = await writeCheckpoint(getDb(), t.id);
      expect(cp).toMatchObject({ treeSize: 26, keyId: rotation.newKeyId });
      await append(t);
      expect((await writeCheckpoint(getDb(), t.id))?.treeSize).toBe(27);
      expect(trustedKeys(before.publicKeyPem, await ledgerKeyRecords(getDb()))).toEqual([before.keyId, rotation.newKeyId]);
      expect(await ledgerIntegrityAlert(t.ctx("auditor"))).toBeNull();
    } finally {
      process.env.LEDGER_SIGNING_KEY = runKey;
      resetConfigCache();
    }
  });

  it("a forged statement passes the database's shape check but no verifier or sealer trusts its key", async () => {
    const keys = await ledgerKeyRecords(getDb());
    const newest = currentRegisteredKey(keys)!;
    const forged = newLedgerSigningKey();
    const forgedKey = parseSigningKey(forged);
    // Claims the newest key as old, signed by a key that is not it.
    const made = makeRotationStatement(generateSigningKey().privateKeyPem, forgedKey.publicKeyPem);
    const statement = made.statement.replace(/^old [0-9a-f]{16}$/m, `old ${newest.keyId}`);
    await app`select ledger_register_key(${forgedKey.keyId}, ${forgedKey.publicKeyPem}, ${statement}, ${made.signature})`;

    const records = await ledgerKeyRecords(getDb());
    expect(records.map((k) => k.keyId)).toContain(forgedKey.keyId);
    expect(trustedKeys(keys[0].publicKeyPem, records)).not.toContain(forgedKey.keyId);
    expect(trustedKeys(keys[0].publicKeyPem, records)).toContain(newest.keyId);

    const t = await makeTenant();
    await append(t);
    process.env.LEDGER_SIGNING_KEY = forged;
    resetConfigCache();
    try {
      await expect(writeCheckpoint(getDb(), t.id)).rejects.toMatchObject({ code: "unavailable:ledger_key" });
    } finally {
      process.env.LEDGER_SIGNING_KEY = runKey;
      resetConfigCache();
    }
  });
});
