/**
 * What the schema promises beyond its columns: every tenant_id leads to a
 * tenant, address columns hold addresses, index names say what they index,
 * and the drop guard's lookup is an index probe. Checked on a database
 * upgraded from the previous migration as a schema owner that is no superuser,
 * with data in it that the upgrade must keep.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Database } from "@/db/client";
import { MIGRATIONS_FOLDER } from "@/db/migrate";
import { prepareOwnedDatabase, withDatabase } from "@/db/owner";
import { lastCompletedSync } from "@/db/queries/syncs";
import * as schema from "@/db/schema";

const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
const name = `constraints_${suffix}`;
const owner = `constraints_owner_${suffix}`;
let tmp: string;
let db: postgres.Sql;

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

const loginAttempts = [
  { email: "good@upgrade.test", ip: "10.0.0.1" },
  { email: "six@upgrade.test", ip: "2001:db8::1" },
  { email: "bad@upgrade.test", ip: "not-an-address" },
  { email: "empty@upgrade.test", ip: "" },
  { email: "unknown@upgrade.test", ip: null },
];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-constraints-"));
  await prepareOwnedDatabase(inject("superuserDatabaseUrl"), { database: name, owner, ownerPassword: "constraints-owner" });
  const url = new URL(withDatabase(inject("superuserDatabaseUrl"), name));
  url.username = owner;
  url.password = "constraints-owner";
  db = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const [{ superuser }] = await db`select rolsuper as superuser from pg_roles where rolname = current_user`;
  expect(superuser).toBe(false);

  await migrate(drizzle(db), { migrationsFolder: migrationsUpTo("0018_platform_audit_append_only") });
  for (const attempt of loginAttempts) {
    await db`insert into login_attempts (email, ip, succeeded) values (${attempt.email}, ${attempt.ip}, false)`;
  }
  await migrate(drizzle(db), { migrationsFolder: MIGRATIONS_FOLDER });
});

afterAll(async () => {
  await db?.end({ timeout: 5 });
  const server = postgres(inject("superuserDatabaseUrl"), { max: 1, onnotice: () => {} });
  await server.unsafe(`drop database if exists ${name} with (force)`);
  await server.unsafe(`drop role if exists ${owner}`);
  await server.end({ timeout: 5 });
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("tenant_id references", () => {
  it("leads from every tenant_id to a tenant, refusing the tenant's deletion rather than cascading", async () => {
    const columns = await db<{ table: string }[]>`
      select c.table_name as table from information_schema.columns c
        join information_schema.tables t using (table_schema, table_name)
       where c.table_schema = 'public' and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'
       order by 1`;
    expect(columns.length).toBeGreaterThanOrEqual(18);
    // Each foreign key that includes tenant_id, with the table and column tenant_id points at.
    const keys = await db<{ table: string; target: string; target_column: string; on_delete: string }[]>`
      select c.conrelid::regclass::text as table, c.confrelid::regclass::text as target,
             ta.attname as target_column, c.confdeltype::text as on_delete
        from pg_constraint c
        join lateral unnest(c.conkey, c.confkey) as k(col, ref) on true
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.col
        join pg_attribute ta on ta.attrelid = c.confrelid and ta.attnum = k.ref
       where c.contype = 'f' and a.attname = 'tenant_id' and c.connamespace = 'public'::regnamespace`;
    const direct = new Set(keys.filter((k) => k.target === "tenants" && k.target_column === "id").map((k) => k.table));
    const missing = columns
      .map((c) => c.table)
      .filter((table) => {
        if (direct.has(table)) return false;
        // A staged row's tenant is its sync's: (sync, tenant) references the sync's (id, tenant).
        return !keys.some((k) => k.table === table && k.target_column === "tenant_id" && direct.has(k.target));
      });
    expect(missing).toEqual([]);
    // One rule: no action (refuse), never cascade or set null.
    expect([...new Set(keys.map((k) => k.on_delete))]).toEqual(["a"]);
  });

  it("refuses to delete a tenant that has history, and keeps its rows", async () => {
    const [tenant] = await db`insert into tenants (slug, name) values ('kept', 'Kept') returning id`;
    await db`insert into ledger_queue (tenant_id, kind, ref_id, record) values (${tenant.id}, 'audit', 'x', '{}')`;
    await expect(db`delete from tenants where id = ${tenant.id}`).rejects.toMatchObject({ code: "23503" });
    const [{ count }] = await db`select count(*)::int as count from ledger_queue where tenant_id = ${tenant.id}`;
    expect(count).toBe(1);
    await expect(
      db`insert into ledger_queue (tenant_id, kind, ref_id, record) values (${randomUUID()}, 'audit', 'y', '{}')`,
    ).rejects.toMatchObject({ code: "23503" });
  });
});

describe("address columns", () => {
  it("stores every client address as inet", async () => {
    const columns = await db<{ column: string; type: string }[]>`
      select table_name || '.' || column_name as column, data_type as type from information_schema.columns
       where table_schema = 'public' and (column_name = 'ip' or column_name like '%\\_ip' or column_name like '%address%')
       order by 1`;
    expect(columns.map((c) => c.column)).toEqual(expect.arrayContaining(["audit_events.ip", "login_attempts.ip"]));
    expect(columns.filter((c) => c.type !== "inet")).toEqual([]);
  });

  it("keeps every sign-in attempt through the upgrade, with unreadable addresses as unknown", async () => {
    const rows = await db<{ email: string; ip: string | null }[]>`
      select email, ip from login_attempts where email like '%@upgrade.test'`;
    const byEmail = Object.fromEntries(rows.map((r) => [r.email, r.ip]));
    expect(byEmail).toEqual({
      "good@upgrade.test": "10.0.0.1",
      "six@upgrade.test": "2001:db8::1",
      "bad@upgrade.test": null,
      "empty@upgrade.test": null,
      "unknown@upgrade.test": null,
    });
  });
});

describe("indexes", () => {
  it("names each index after its table and columns, ending in what it is", async () => {
    const indexes = await db<{ table: string; index: string; unique: boolean; primary: boolean }[]>`
      select t.relname as table, i.relname as index, x.indisunique as unique, x.indisprimary as primary
        from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
       where t.relnamespace = 'public'::regnamespace order by 2`;
    const misnamed = indexes
      .filter(
        (i) => !i.index.startsWith(`${i.table}_`) || !(i.primary ? /_(pkey|pk)$/ : i.unique ? /_(uq|unique)$/ : /_idx$/).test(i.index),
      )
      .map((i) => i.index);
    expect(misnamed).toEqual([]);
  });

  it("finds the drop guard's last applied sync through the integration_id index", async () => {
    const [tenant] = await db`insert into tenants (slug, name) values ('guard', 'Guard') returning id`;
    const integrations = await db`
      insert into integrations (tenant_id, name, connector, config)
      select ${tenant.id}, 'HR ' || n, 'csv', '{}' from generate_series(1, 40) n returning id`;
    await db`
      insert into sync_executions (tenant_id, integration_id, status, trigger, started_by_type, started_by_name, queued_at, ended_at)
      select ${tenant.id}, i.id, case when n % 5 = 0 then 'error' else 'post_sync_completed' end, 'schedule', 'system', 'scheduler',
             now() - make_interval(hours => n), now() - make_interval(hours => n) + interval '5 minutes'
        from unnest(${integrations.map((i) => i.id)}::uuid[]) i(id), generate_series(1, 100) n`;
    await db`analyze sync_executions`;

    const statements: { query: string; params: unknown[] }[] = [];
    const orm = drizzle(db, { schema, logger: { logQuery: (query, params) => statements.push({ query, params }) } }) as unknown as Database;
    const target = integrations[7].id as string;
    const found = await lastCompletedSync(orm, target, randomUUID());
    expect(found).toMatchObject({ integrationId: target, status: "post_sync_completed" });
    expect(statements).toHaveLength(1);

    const [{ "QUERY PLAN": plan }] = await db.unsafe(`explain (format json) ${statements[0].query}`, statements[0].params as never[]);
    const used: string[] = [];
    const walk = (node: { "Index Name"?: string; Plans?: unknown[] }) => {
      if (node["Index Name"]) used.push(node["Index Name"]);
      for (const child of node.Plans ?? []) walk(child as typeof node);
    };
    walk(plan[0].Plan);
    expect(used).toEqual(["sync_executions_integration_id_ended_at_idx"]);
    expect(JSON.stringify(plan)).not.toContain('"Sort"');
  });
});
