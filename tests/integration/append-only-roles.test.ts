/**
 * What each database role can do to the records an auditor relies on. Every
 * statement runs as the app's role and as the schema owner, in a transaction
 * that is rolled back; the test asserts which are refused, with Postgres's
 * error code, and that the tenant's rows are unchanged afterwards.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb } from "@/db/client";
import { APPEND_ONLY_TABLES, grantAppPrivileges, migrateDatabase, MIGRATIONS_FOLDER } from "@/db/migrate";
import { OWNER_DB_ROLE, prepareOwnedDatabase, withDatabase } from "@/db/owner";
import { recordAuditEvent } from "@/lib/audit/service";
import { sealTenant, writeCheckpoint } from "@/lib/ledger/chain";
import { makeRotationStatement } from "@/lib/ledger/rotation";
import { generateSigningKey } from "@/lib/ledger/signing";
import { makeIntegrationWithEvidence, makeTenant, type TestTenant } from "../helpers/factories";

class Rollback extends Error {}

/** "ok" if the statement succeeds (then rolled back), else the Postgres error code and message. */
async function attempt(sql: postgres.Sql, statement: string): Promise<{ code: string; message?: string }> {
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(statement);
      throw new Rollback();
    });
  } catch (e) {
    if (e instanceof Rollback) return { code: "ok" };
    const err = e as postgres.PostgresError;
    if (!err.code) throw e;
    return { code: err.code, message: err.message };
  }
  throw new Error("unreachable");
}

let app: postgres.Sql;
let owner: postgres.Sql;
let lock: postgres.ReservedSql;
let t: TestTenant;
let keyId: string;
let queuedId: string;

/** The tenant's rows in every table this file touches, as text, for before/after comparison. */
async function snapshot() {
  const tables = [...APPEND_ONLY_TABLES, "evidence_records", "evidence_files", "ledger_queue"];
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const where = table === "ledger_keys" ? owner`key_id = ${keyId} or key_id like 'forged%'` : owner`tenant_id = ${t.id}`;
    const rows = await owner<{ row: string }[]>`select x::text as row from ${owner(table)} x where ${where} order by 1`;
    out[table] = rows.map((r) => r.row);
  }
  return out;
}

beforeAll(async () => {
  app = postgres(inject("databaseUrl"), { max: 1, onnotice: () => {} });
  owner = postgres(inject("ownerDatabaseUrl"), { max: 2, onnotice: () => {} });
  t = await makeTenant();
  await makeIntegrationWithEvidence(t, { name: "HR", pdfName: "review.pdf" });
  await sealTenant(getDb(), t.id);
  const checkpoint = await writeCheckpoint(getDb(), t.id);
  keyId = checkpoint!.keyId;
  // One record left queued. Sealers in other test files would take it, so hold the tenant's sealing lock meanwhile.
  lock = await owner.reserve();
  await lock`select pg_advisory_lock(hashtextextended(${`ledger:${t.id}`}, 0))`;
  await recordAuditEvent(getDb(), t.ctx("admin"), { entityType: "Tenant", action: "Update", entityName: "queued", details: "left queued" });
  [{ id: queuedId }] = await owner<{ id: string }[]>`select id from ledger_queue where tenant_id = ${t.id}`;
});

afterAll(async () => {
  if (lock) {
    await lock`select pg_advisory_unlock_all()`;
    lock.release();
  }
  await app?.end();
  await owner?.end();
});

type Case = { statement: () => string; app: string; owner: string };

/** 42501 is insufficient_privilege: a missing grant, a missing ownership, or the append-only trigger. */
const cases: Record<string, Case> = {};
for (const table of APPEND_ONLY_TABLES) {
  const where = () => (table === "ledger_keys" ? `key_id = '${keyId}'` : `tenant_id = '${t.id}'`);
  const column = {
    audit_events: "details",
    platform_audit_events: "details",
    ledger_entries: "hash",
    ledger_checkpoints: "signature",
    ledger_keys: "public_key_pem",
  }[table];
  cases[`UPDATE ${table}`] = { statement: () => `update ${table} set ${column} = 'forged' where ${where()}`, app: "42501", owner: "42501" };
  cases[`DELETE FROM ${table}`] = { statement: () => `delete from ${table} where ${where()}`, app: "42501", owner: "42501" };
  cases[`TRUNCATE ${table}`] = { statement: () => `truncate ${table}`, app: "42501", owner: "42501" };
}
Object.assign(cases, {
  "DELETE FROM evidence_files": { statement: () => `delete from evidence_files where tenant_id = '${t.id}'`, app: "42501", owner: "ok" },
  "UPDATE evidence_files": {
    statement: () => `update evidence_files set sha256 = 'forged' where tenant_id = '${t.id}'`,
    app: "42501",
    owner: "ok",
  },
  "DELETE FROM evidence_records": {
    statement: () =>
      `delete from evidence_records where tenant_id = '${t.id}' and not exists (select 1 from evidence_files f where f.evidence_id = evidence_records.id)`,
    app: "42501",
    owner: "ok",
  },
  "DELETE FROM ledger_queue": { statement: () => `delete from ledger_queue where tenant_id = '${t.id}'`, app: "42501", owner: "ok" },
  "UPDATE ledger_queue": {
    statement: () => `update ledger_queue set record = '{}' where tenant_id = '${t.id}'`,
    app: "42501",
    owner: "ok",
  },
  "INSERT INTO ledger_keys": {
    statement: () => `insert into ledger_keys (key_id, public_key_pem) values ('forged${randomUUID().slice(0, 10)}', 'forged')`,
    app: "42501",
    owner: "ok",
  },
  // Only the schema owner clears a tenant's flag once the cause is understood.
  "DELETE FROM ledger_integrity_failures": {
    statement: () => `delete from ledger_integrity_failures where tenant_id = '${t.id}'`,
    app: "42501",
    owner: "ok",
  },
  "UPDATE ledger_integrity_failures": {
    statement: () => `update ledger_integrity_failures set reason = 'cleared' where tenant_id = '${t.id}'`,
    app: "42501",
    owner: "ok",
  },
  "INSERT INTO ledger_checkpoints": {
    statement: () => `
      insert into ledger_checkpoints (tenant_id, tree_size, root_hash, key_id, signature, created_at, object_key, frontier)
      values ('${t.id}', 999999, repeat('0', 64), '${keyId}', 'forged', '2026-01-01T00:00:00.000Z', 'forged', '[]')`,
    app: "42501",
    owner: "ok",
  },
  // Needs superuser; with it every append-only trigger is skipped.
  "SET session_replication_role = replica": {
    statement: () => "set local session_replication_role = replica",
    app: "42501",
    owner: "42501",
  },
});
for (const table of APPEND_ONLY_TABLES) {
  // The owner owns the tables, and Postgres lets an owner switch its triggers off (see docs/architecture.md).
  cases[`ALTER TABLE ${table} DISABLE TRIGGER USER`] = {
    statement: () => `alter table ${table} disable trigger user`,
    app: "42501",
    owner: "ok",
  };
}

describe("append-only records, statement by statement", () => {
  for (const [name, expected] of Object.entries(cases)) {
    it(`${name}: app role ${expected.app === "ok" ? "may" : "refused"}, schema owner ${expected.owner === "ok" ? "may" : "refused"}`, async () => {
      const before = await snapshot();
      expect(before.ledger_queue).toHaveLength(1);
      expect(before.evidence_files).toHaveLength(1);
      const asApp = await attempt(app, expected.statement());
      expect(asApp.code, `as the app role: ${asApp.message}`).toBe(expected.app);
      const asOwner = await attempt(owner, expected.statement());
      expect(asOwner.code, `as the owner: ${asOwner.message}`).toBe(expected.owner);
      // For the owner, a refusal on these tables comes from the trigger, not from a missing privilege.
      if (expected.owner !== "ok" && name.includes("_") && !name.startsWith("SET")) expect(asOwner.message).toMatch(/append-only/);
      expect(await snapshot()).toEqual(before);
    });
  }

  it("the owner is no superuser and cannot gain one's powers", async () => {
    const [me] = await owner<{ rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean }[]>`
      select rolsuper, rolbypassrls, rolcreaterole from pg_roles where rolname = current_user`;
    expect(me).toEqual({ rolsuper: false, rolbypassrls: false, rolcreaterole: false });
    expect((await attempt(owner, `alter role ${OWNER_DB_ROLE} superuser`)).code).toBe("42501");
  });
});

describe("the sealer's functions, called with the app's credentials", () => {
  it("refuse to remove a queued record that is not in the chain", async () => {
    const refused = await attempt(app, `select ledger_dequeue('${t.id}', array[${queuedId}]::bigint[])`);
    expect(refused).toMatchObject({ code: "42501", message: expect.stringMatching(/not sealed/) });
    // Nor through another tenant's id.
    expect((await attempt(app, `select ledger_dequeue('${randomUUID()}', array[${queuedId}]::bigint[])`)).code).toBe("42501");
    const [{ n }] = await owner<{ n: number }[]>`select count(*)::int as n from ledger_queue where id = ${queuedId}`;
    expect(n).toBe(1);
  });

  it("refuse a key whose id does not name it, and anything that is not an Ed25519 public key", async () => {
    const key = generateSigningKey();
    const other = generateSigningKey();
    const wrongId = await attempt(app, `select ledger_register_key('${other.keyId}', '${key.publicKeyPem}')`);
    expect(wrongId).toMatchObject({ code: "22023", message: expect.stringMatching(/does not name this key/) });
    expect((await attempt(app, `select ledger_register_key('0123456789abcdef', 'forged')`)).code).toBe("22023");
  });

  it("refuse a second key without a rotation statement from the current key", async () => {
    const key = generateSigningKey();
    expect(await attempt(app, `select ledger_register_key('${key.keyId}', '${key.publicKeyPem}')`)).toMatchObject({
      code: "42501",
      message: expect.stringMatching(/needs a rotation statement signed by the current key/),
    });
    // Signed by a key that is not the current one.
    const stranger = generateSigningKey();
    const s = makeRotationStatement(stranger.privateKeyPem, key.publicKeyPem);
    expect(
      await attempt(app, `select ledger_register_key('${key.keyId}', '${key.publicKeyPem}', '${s.statement}', '${s.signature}')`),
    ).toMatchObject({
      code: "42501",
      message: expect.stringMatching(/must name the current key/),
    });
    const [{ n }] = await owner<{ n: number }[]>`select count(*)::int as n from ledger_keys where key_id = ${key.keyId}`;
    expect(n).toBe(0);
  });

  it("refuse a checkpoint beyond the tenant's entries, by an unknown key, or malformed", async () => {
    const [{ size }] = await owner<{ size: string }[]>`select max(seq) as size from ledger_entries where tenant_id = ${t.id}`;
    const sig = Buffer.alloc(64, 1).toString("base64");
    const call = (treeSize: number | string, root: string, key: string, signature: string) =>
      `select ledger_append_checkpoint('${t.id}', ${treeSize}, '${root}', '${key}', '${signature}', '2026-01-01T00:00:00.000Z',
         'tenants/${t.id}/ledger/checkpoints/x.json', '[]')`;
    const good = "a".repeat(64);
    expect(await attempt(app, call(Number(size) + 1, good, keyId, sig))).toMatchObject({
      code: "22023",
      message: expect.stringMatching(/not within/),
    });
    expect(await attempt(app, call(size, good, "ffffffffffffffff", sig))).toMatchObject({
      code: "22023",
      message: expect.stringMatching(/not registered/),
    });
    expect(await attempt(app, call(size, "forged", keyId, sig))).toMatchObject({ code: "22023" });
    expect(await attempt(app, call(size, good, keyId, "Zm9yZ2Vk"))).toMatchObject({ code: "22023" });
    // A size the latest checkpoint already covers writes nothing.
    const [{ inserted }] = await app<{ inserted: boolean }[]>`
      select ledger_append_checkpoint(${t.id}, ${size}, ${good}, ${keyId}, ${sig}, '2026-01-01T00:00:00.000Z',
        ${`tenants/${t.id}/ledger/checkpoints/x.json`}, '[]') as inserted`;
    expect(inserted).toBe(false);
  });
});

describe("upgrading an embedded database whose objects the superuser owns", () => {
  const name = `oldstyle_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  let superuser: postgres.Sql;
  let tmp: string;
  beforeAll(async () => {
    superuser = postgres(withDatabase(inject("superuserDatabaseUrl"), "postgres"), { max: 1, onnotice: () => {} });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-oldstyle-"));
  });
  afterAll(async () => {
    await superuser?.unsafe(`drop database if exists ${name} with (force)`);
    await superuser?.end({ timeout: 5 });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("hands every object to the schema owner, keeps the data, and the owner's triggers hold", async () => {
    // As earlier versions did: database created and migrated (to 0011) by the superuser.
    const dir = path.join(tmp, "migrations");
    fs.cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
    const journalFile = path.join(dir, "meta", "_journal.json");
    const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag <= "0011");
    fs.writeFileSync(journalFile, JSON.stringify(journal));
    await superuser.unsafe(`create database ${name}`);
    const old = postgres(withDatabase(inject("superuserDatabaseUrl"), name), { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle(old), { migrationsFolder: dir });
      const [tenant] = await old`insert into tenants (slug, name) values ('old', 'Old') returning id`;
      await old`insert into audit_events (tenant_id, actor_type, actor_name, entity_type, action, entity_name, details)
                values (${tenant.id}, 'system', 'old', 'Tenant', 'Create', 'Old', 'before the upgrade')`;
    } finally {
      await old.end({ timeout: 5 });
    }
    const ownerUrl = withDatabase(inject("ownerDatabaseUrl"), name);
    const asOwner = postgres(ownerUrl, { max: 1, onnotice: () => {} });
    try {
      // Before: the owner cannot migrate what the superuser owns.
      await expect(asOwner`alter table audit_events add column x int`).rejects.toMatchObject({ code: "42501" });

      await prepareOwnedDatabase(inject("superuserDatabaseUrl"), { database: name, ownerPassword: new URL(ownerUrl).password });
      await migrateDatabase(ownerUrl);
      await grantAppPrivileges(ownerUrl, "syncledger_app");

      expect(await listNotOwned(name)).toEqual([]);
      const [db] = await superuser<{ owner: string }[]>`select pg_get_userbyid(datdba) as owner from pg_database where datname = ${name}`;
      expect(db.owner).toBe(OWNER_DB_ROLE);
      const [kept] = await asOwner<{ details: string }[]>`select details from audit_events where actor_name = 'old'`;
      expect(kept.details).toBe("before the upgrade");
      const [{ applied }] = await asOwner<{ applied: number }[]>`select count(*)::int as applied from drizzle.__drizzle_migrations`;
      expect(applied).toBe(JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")).entries.length);
      expect(await attempt(asOwner, "update audit_events set details = 'forged'")).toMatchObject({
        code: "42501",
        message: expect.stringMatching(/append-only/),
      });
      expect((await attempt(asOwner, "truncate ledger_keys")).code).toBe("42501");
      expect((await attempt(asOwner, "set local session_replication_role = replica")).code).toBe("42501");
      const app = postgres(withDatabase(inject("databaseUrl"), name), { max: 1, onnotice: () => {} });
      try {
        expect((await attempt(app, "insert into ledger_keys (key_id, public_key_pem) values ('forged', 'x')")).code).toBe("42501");
      } finally {
        await app.end({ timeout: 5 });
      }
      // A second start finds nothing left to hand over.
      await prepareOwnedDatabase(inject("superuserDatabaseUrl"), { database: name, ownerPassword: new URL(ownerUrl).password });
      expect(await listNotOwned(name)).toEqual([]);
    } finally {
      await asOwner.end({ timeout: 5 });
    }
  });

  /** The project's objects (not an extension's) owned by anyone but the schema owner. */
  async function listNotOwned(database: string) {
    const sql = postgres(withDatabase(inject("superuserDatabaseUrl"), database), { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ object: string }[]>`
        select c.oid::regclass::text as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname in ('public', 'drizzle') and pg_get_userbyid(c.relowner) <> ${OWNER_DB_ROLE}
           and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
        union all
        select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname in ('public', 'drizzle') and pg_get_userbyid(p.proowner) <> ${OWNER_DB_ROLE}
           and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
        union all
        select nspname from pg_namespace where nspname = 'drizzle' and pg_get_userbyid(nspowner) <> ${OWNER_DB_ROLE}`;
      return rows.map((r) => r.object);
    } finally {
      await sql.end({ timeout: 5 });
    }
  }
});
