/**
 * Upgrading a database keeps what it held: a database migrated to an earlier
 * schema, with data in it, is migrated to the current one and checked.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MIGRATIONS_FOLDER } from "@/db/migrate";

const name = `upgrade_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
let server: postgres.Sql;
let db: postgres.Sql;
let tmp: string;

/** A copy of the migrations folder that stops after the migration tagged `last`. */
function migrationsUpTo(last: string): string {
  const dir = path.join(tmp, last);
  fs.cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalFile = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { entries: { idx: number; tag: string }[] };
  const stop = journal.entries.findIndex((e) => e.tag === last);
  expect(stop).toBeGreaterThanOrEqual(0);
  journal.entries = journal.entries.slice(0, stop + 1);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-migrations-"));
  server = postgres(inject("superuserDatabaseUrl"), { max: 1, onnotice: () => {} });
  await server.unsafe(`create database ${name}`);
  const url = new URL(inject("superuserDatabaseUrl"));
  url.pathname = `/${name}`;
  db = postgres(url.toString(), { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await db?.end({ timeout: 5 });
  await server?.unsafe(`drop database if exists ${name} with (force)`);
  await server?.end({ timeout: 5 });
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("upgrading a database from 0007 (current state copied, Sync Log in one table)", () => {
  it("keeps every current-state row, its fields and the Sync Log numbering", async () => {
    await migrate(drizzle(db), { migrationsFolder: migrationsUpTo("0007_ledger_triggers") });

    const [tenant] = await db`insert into tenants (slug, name) values ('upgrade', 'Upgrade') returning id`;
    const [integration] = await db`
      insert into integrations (tenant_id, name, connector, config) values (${tenant.id}, 'HR', 'csv', '{}') returning id`;
    const [sync] = await db`
      insert into sync_executions (tenant_id, integration_id, status, trigger, started_by_type, started_by_name)
      values (${tenant.id}, ${integration.id}, 'post_sync_completed', 'manual', 'system', 'test') returning id`;
    for (const [id, name] of [
      ["a1", "ann"],
      ["a2", "bob"],
      ["a3", "cy"],
    ]) {
      await db`
        insert into extracted_objects (tenant_id, sync_execution_id, object_type, external_id, fields, hash)
        values (${tenant.id}, ${sync.id}, 'account', ${id}, ${JSON.stringify({ username: name })}::jsonb, ${`hash-${id}`})`;
      await db`
        insert into sync_records (tenant_id, sync_execution_id, object_type, external_id, outcome)
        values (${tenant.id}, ${sync.id}, 'account', ${id}, 'created')`;
    }
    // Before the upgrade the current state is a copied table; a3 was deleted since.
    for (const id of ["a1", "a2"]) {
      await db`
        insert into identity_objects (tenant_id, integration_id, object_type, external_id, fields, hash, sync_execution_id)
        select tenant_id, ${integration.id}, object_type, external_id, fields, hash, sync_execution_id
          from extracted_objects where external_id = ${id}`;
    }
    const [{ max }] = await db`select greatest((select max(id) from extracted_objects), (select max(id) from sync_records)) as max`;

    await migrate(drizzle(db), { migrationsFolder: MIGRATIONS_FOLDER });

    const current = await db`
      select external_id, fields->>'username' as username, hash, sync_execution_id from identity_objects
       where integration_id = ${integration.id} order by external_id`;
    expect(current.map((r) => ({ ...r }))).toEqual([
      { external_id: "a1", username: "ann", hash: "hash-a1", sync_execution_id: sync.id },
      { external_id: "a2", username: "bob", hash: "hash-a2", sync_execution_id: sync.id },
    ]);
    const [state] =
      await db`select version::int as version, base_sync_execution_id from identity_states where integration_id = ${integration.id}`;
    expect(state).toMatchObject({ version: 1, base_sync_execution_id: null });
    // New log entries are numbered after every old one, in either table.
    const [next] = await db`
      insert into sync_records (tenant_id, sync_execution_id, object_type, external_id, outcome)
      values (${tenant.id}, ${sync.id}, 'account', 'a4', 'skipped') returning id`;
    expect(Number(next.id)).toBeGreaterThan(Number(max));
  });
});
