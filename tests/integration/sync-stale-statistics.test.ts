/**
 * Syncs of tens of thousands of records in a database whose planner
 * statistics were taken while the sync tables were small and never updated
 * since (autovacuum off for them), as in an install that ran a few small
 * syncs first. The planner then believes a new sync's rows are about one, and
 * a statement whose plan depends on that estimate can go quadratic: 14
 * minutes for 40,000 records. Every app connection here has a statement
 * timeout of a few seconds as the tripwire: a statement that goes quadratic
 * fails its sync instead of merely running long.
 *
 * The database is this file's own, so freezing statistics touches no other test.
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb, getSql } from "@/db/client";
import { countsFor, getSyncExecution } from "@/db/queries/syncs";
import { startScratchDatabase } from "@/db/scratch";
import { createIntegration } from "@/lib/integrations/service";
import { listSyncLog, releaseHeldSync, requestSync } from "@/lib/syncs/service";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { makeTenant, type TestTenant } from "../helpers/factories";
import { generateDirectoryLdif, groupCn, GROUPS_DN, startSlapd, userDn, type RunningSlapd } from "../helpers/slapd";
import { resetConfigCache } from "@/lib/config";

const SYNC_TABLES = ["extracted_objects", "sync_records", "identity_overlay", "identity_states", "sync_executions"];
const USERS = 20_000;
const GROUPS = 10;
const PER_GROUP = 2_000;
const RECORDS = USERS + GROUPS + GROUPS * PER_GROUP;

let db: Awaited<ReturnType<typeof startScratchDatabase>>;
let owner: postgres.Sql;
let small: RunningSlapd;
let big: RunningSlapd;
let worker: Worker;
let t: TestTenant;
const sharedDatabaseUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  db = await startScratchDatabase();
  owner = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
  // The tripwire: a statement that rescans a sync per row runs for minutes, a sound one for well under a second.
  // Role settings are the superuser's: the schema owner may not alter roles.
  const superuser = postgres(db.superuserUrl, { max: 1, onnotice: () => {} });
  await superuser`alter role syncledger_app set statement_timeout = '5s'`;
  await superuser.end();
  process.env.DATABASE_URL = db.appUrl;
  resetConfigCache();
  await closeDb();
  [small, big] = await Promise.all([startSlapd(), startSlapd()]);
  await small.addLdif([...generateDirectoryLdif({ users: 200, groups: 5, membershipsPerGroup: 20 })].join(""));
  const { default: fs } = await import("node:fs");
  const { default: os } = await import("node:os");
  const { default: path } = await import("node:path");
  const { writeLdif } = await import("../helpers/slapd");
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-stale-")), "big.ldif");
  await writeLdif(file, generateDirectoryLdif({ users: USERS, groups: GROUPS, membershipsPerGroup: PER_GROUP }));
  await big.bulkLoad(file);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.2, heartbeatSeconds: 1, staleAfterSeconds: 60 });
  t = await makeTenant();
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await closeDb();
  process.env.DATABASE_URL = sharedDatabaseUrl;
  resetConfigCache();
  await owner?.end();
  await Promise.all([small?.stop(), big?.stop()]);
  await db?.stop();
});

const ldap = (s: RunningSlapd) => ({ url: s.url, bindDn: s.bindDn, bindPassword: s.bindPassword, baseDn: s.baseDn });

async function finished(id: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sync = await getSyncExecution(getDb(), t.id, id);
    if (sync && !["queued", "syncing", "completed"].includes(sync.status)) return sync;
    if (Date.now() > deadline) throw new Error(`sync ${id} still ${sync?.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function completed(id: string) {
  const sync = await finished(id);
  expect(sync.message, `sync ${id} ended ${sync.status}`).not.toMatch(/statement timeout/);
  expect(sync.status).toBe("post_sync_completed");
  // The counts the worker kept while staging are the Sync Log's own.
  expect(sync.counts).toEqual(await countsFor(getDb(), id));
  return sync;
}

async function currentCount(integrationId: string) {
  const [row] = await getSql()`select count(*)::int as n from identity_objects where integration_id = ${integrationId}`;
  return row.n as number;
}

describe("syncs against frozen small-table statistics", { timeout: 120_000 }, () => {
  let integrationId: string;

  it("the history: a few small syncs, compared while the table had no statistics, then analysed while small", async () => {
    for (const table of SYNC_TABLES) {
      await owner.unsafe(`alter table ${table} set (autovacuum_enabled = false, toast.autovacuum_enabled = false)`);
    }
    const { integration, sync } = await createIntegration(t.ctx("admin"), { name: "Small LDAP", connector: "ldap", config: ldap(small) });
    await completed(sync!.id);
    // Never analysed: lookups take their probe-per-id form, and must agree with the other.
    const [{ stats }] = await owner`select count(*)::int as stats from pg_stats where tablename = 'extracted_objects'`;
    expect(stats).toBe(0);
    for (let i = 0; i < 2; i++) {
      const again = await completed((await requestSync(t.ctx("admin"), integration.id, {})).sync.id);
      expect(again.counts.account).toMatchObject({ extracted: 200, unchanged: 200, created: 0, updated: 0 });
      expect(again.counts.membership).toMatchObject({ extracted: 100, unchanged: 100 });
    }
    for (const table of SYNC_TABLES) await owner.unsafe(`analyze ${table}`);
    // The planner now estimates any new sync's staged rows at about one.
    const [plan] = await owner.unsafe(`explain (format json) select * from extracted_objects where sync_execution_id = '${randomUUID()}'`);
    expect(plan["QUERY PLAN"][0].Plan["Plan Rows"]).toBeLessThan(10);
  });

  it("a first sync of 40,010 records completes", async () => {
    const { integration, sync } = await createIntegration(t.ctx("admin"), {
      name: "Big LDAP",
      connector: "ldap",
      config: ldap(big),
      dropThresholdPercent: 5,
    });
    integrationId = integration.id;
    const done = await completed(sync!.id);
    expect(done.counts.account).toMatchObject({ extracted: USERS, created: USERS });
    expect(done.counts.membership).toMatchObject({ extracted: GROUPS * PER_GROUP, created: GROUPS * PER_GROUP });
    expect(await currentCount(integrationId)).toBe(RECORDS);
    // Statistics are still the small ones: the runs below meet them too.
    const [{ reltuples }] = await owner`select reltuples from pg_class where relname = 'extracted_objects'`;
    expect(reltuples).toBeLessThan(2_000);
  });

  it("an unchanged full sync compares every record and completes", async () => {
    const done = await completed((await requestSync(t.ctx("admin"), integrationId, {})).sync.id);
    expect(done.counts.account).toMatchObject({ extracted: USERS, unchanged: USERS, created: 0, deleted: 0 });
    expect(done.counts.membership).toMatchObject({ unchanged: GROUPS * PER_GROUP });
  });

  it("a full sync that finds records gone logs the deletions against the whole state", async () => {
    // 500 accounts leave (2.5 %, under the threshold); their 1,000 memberships with them.
    const gone = Array.from({ length: 500 }, (_, i) => `dn: ${userDn(i + 1)}\nchangetype: delete\n`).join("\n");
    await big.addLdif(gone);
    const done = await completed((await requestSync(t.ctx("admin"), integrationId, {})).sync.id);
    expect(done.counts.account).toMatchObject({ extracted: USERS - 500, deleted: 500 });
    expect(done.counts.membership?.deleted).toBeGreaterThan(0);
  });

  it("a delta that changes a group of 2,000 members replaces its member list", async () => {
    await new Promise((r) => setTimeout(r, 1100)); // modifyTimestamp has whole seconds
    await big.addLdif(`dn: cn=${groupCn(1)},${GROUPS_DN}\nchangetype: modify\ndelete: member\nmember: ${userDn(2 * PER_GROUP - 1)}\n`);
    const done = await completed((await requestSync(t.ctx("admin"), integrationId, { mode: "delta" })).sync.id);
    expect(done.mode).toBe("delta");
    expect(done.counts.membership?.deleted).toBe(1);
  });

  it("a held run released after the state moved is compared again over all its records", async () => {
    // 1,500 more accounts leave (7.7 %): held by the 5 % threshold.
    const leave = Array.from({ length: 1_500 }, (_, i) => `dn: ${userDn(i + 501)}\nchangetype: delete\n`).join("\n");
    await big.addLdif(leave);
    const held = await finished((await requestSync(t.ctx("admin"), integrationId, {})).sync.id);
    expect(held.status).toBe("held");
    // Meanwhile a delta moves the state, so the release must compare again before it applies.
    await new Promise((r) => setTimeout(r, 1100));
    await big.addLdif(`dn: cn=${groupCn(5)},${GROUPS_DN}\nchangetype: modify\ndelete: member\nmember: ${userDn(5 * PER_GROUP + 1)}\n`);
    await completed((await requestSync(t.ctx("admin"), integrationId, { mode: "delta" })).sync.id);
    await releaseHeldSync(t.ctx("admin"), held.id);
    const released = await completed(held.id);
    expect(released.counts.account).toMatchObject({ extracted: USERS - 2_000, deleted: 1_500 });
    expect(await currentCount(integrationId)).toBe(
      released.counts.account!.extracted + released.counts.group!.extracted + released.counts.membership!.extracted,
    );
  });

  it("Sync Log pages and filters of a 40,010-record sync answer", async () => {
    const [first] = await getSql()`
      select id from sync_executions where integration_id = ${integrationId} order by queued_at limit 1`;
    let page = await listSyncLog(t.ctx("auditor"), first.id, {});
    expect(page.records).toHaveLength(100);
    for (let i = 0; i < 20 && page.next; i++) page = await listSyncLog(t.ctx("auditor"), first.id, { after: page.next });
    expect(page.records).toHaveLength(100);
    const memberships = await listSyncLog(t.ctx("auditor"), first.id, { outcome: "created", objectType: "membership" });
    expect(memberships.records.every((r) => r.objectType === "membership")).toBe(true);
    const wanted = page.records[42].externalId;
    const search = await listSyncLog(t.ctx("auditor"), first.id, { q: wanted.slice(0, 12) });
    expect(search.records.map((r) => r.externalId)).toContain(wanted);
  });
});
