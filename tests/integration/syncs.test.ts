import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, getSql } from "@/db/client";
import { getSyncExecution } from "@/db/queries/syncs";
import {
  createIntegration,
  deleteIntegration,
  getIntegration,
  listCursors,
  resetCursor,
  testConnection,
  updateIntegration,
} from "@/lib/integrations/service";
import { getSync, listSyncHistory, listSyncLog, releaseHeldSync, requestSync } from "@/lib/syncs/service";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { auditRows, expectAuditRow, makeCsvIntegration, makeTenant, } from "../helpers/factories";
import { generateDirectoryLdif, groupCn, GROUPS_DN, startSlapd, userDn, userUid, type RunningSlapd } from "../helpers/slapd";
import { resetConfigCache } from "@/lib/config";

let worker: Worker;
const directories: RunningSlapd[] = [];

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.2, heartbeatSeconds: 1, staleAfterSeconds: 30 });
});

afterAll(async () => {
  await worker?.stop();
  await Promise.all(directories.map((d) => d.stop()));
});

/**
 * A directory of its own for each test (30 users; group g holds users 5g … 5g+4), so a test
 * that deletes or changes entries never changes what another test reads, in any order.
 */
async function directory(): Promise<RunningSlapd> {
  const slapd = await startSlapd();
  directories.push(slapd);
  await slapd.addLdif([...generateDirectoryLdif({ users: 30, groups: 4, membershipsPerGroup: 5 })].join(""));
  return slapd;
}

function ldapConfig(slapd: RunningSlapd, overrides: Record<string, unknown> = {}) {
  return { url: slapd.url, bindDn: slapd.bindDn, bindPassword: slapd.bindPassword, baseDn: slapd.baseDn, ...overrides };
}

/** A tenant with an LDAP integration over a fresh directory, whose first sync has completed. */
async function syncedLdap(name = "Corporate LDAP") {
  const [slapd, t] = await Promise.all([directory(), makeTenant()]);
  const { integration, sync } = await createIntegration(t.ctx("operator"), { name, connector: "ldap", config: ldapConfig(slapd) });
  const first = await waitForSync(t.id, sync!.id);
  expect(first.status).toBe("post_sync_completed");
  return { t, slapd, integrationId: integration.id, first };
}

async function waitForSync(tenantId: string, id: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sync = await getSyncExecution(getDb(), tenantId, id);
    // "completed" is followed at once by the post-sync step.
    if (sync && !["queued", "syncing", "completed"].includes(sync.status)) return sync;
    if (Date.now() > deadline) throw new Error(`sync ${id} still ${sync?.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitForStart(tenantId: string, id: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await getSyncExecution(getDb(), tenantId, id))?.status === "queued") {
    if (Date.now() > deadline) throw new Error(`sync ${id} still queued`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function currentCount(integrationId: string, objectType: string) {
  const [row] =
    await getSql()`select count(*)::int as n from identity_objects where integration_id = ${integrationId} and object_type = ${objectType}`;
  return row.n as number;
}

/** A run a worker claimed and then stopped heartbeating for five minutes. */
async function insertDeadSync(tenantId: string, integrationId: string): Promise<string> {
  const [dead] = await getSql()`
    insert into sync_executions (tenant_id, integration_id, status, trigger, started_by_type, started_by_name, started_at, heartbeat_at, worker_id)
    values (${tenantId}, ${integrationId}, 'syncing', 'manual', 'system', 'test', now() - interval '5 minutes', now() - interval '5 minutes', 'gone')
    returning id`;
  return dead.id;
}

describe("LDAP integration syncs", () => {
  it("saving a new integration starts a sync that brings in accounts, groups and memberships", async () => {
    const [slapd, t] = await Promise.all([directory(), makeTenant()]);
    const { integration, sync } = await createIntegration(t.ctx("operator"), {
      name: "Corporate LDAP",
      connector: "ldap",
      config: ldapConfig(slapd),
    });
    expect(sync).toMatchObject({ status: "queued", trigger: "config_saved", startedByType: "user", startedByName: t.users.operator.email });
    const done = await waitForSync(t.id, sync!.id);
    expect(done.status).toBe("post_sync_completed");
    expect(done.mode).toBe("full");
    expect(done.startedAt).not.toBeNull();
    expect(done.endedAt).not.toBeNull();
    expect(done.counts.account).toMatchObject({ extracted: 30, created: 30, updated: 0, deleted: 0 });
    expect(done.counts.group).toMatchObject({ extracted: 4, created: 4 });
    expect(done.counts.membership).toMatchObject({ extracted: 20, created: 20 });
    expect(done.message).toContain("Accounts: 30");
    expect(await currentCount(integration.id, "account")).toBe(30);
    // What this sync saw is kept with it.
    const [kept] = await getSql()`select count(*)::int as n from extracted_objects where sync_execution_id = ${sync!.id}`;
    expect(kept.n).toBe(54);
    const log = await listSyncLog(t.ctx("viewer"), sync!.id, { outcome: "created", objectType: "account" });
    expect(log.records).toHaveLength(30);
  });

  it("names each Sync Log row: accounts by username, groups by name, memberships by member and group", async () => {
    const { t, first } = await syncedLdap();
    const names = async (objectType: string) =>
      (await listSyncLog(t.ctx("viewer"), first.id, { objectType })).records.map((r) => r.name).sort();
    expect(await names("account")).toEqual(Array.from({ length: 30 }, (_, i) => userUid(i)).sort());
    expect(await names("group")).toEqual([0, 1, 2, 3].map(groupCn));
    // Group g has users 5g … 5g+4 (generateDirectoryLdif).
    const memberships = [0, 1, 2, 3].flatMap((g) => [0, 1, 2, 3, 4].map((j) => `${userUid(g * 5 + j)} in ${groupCn(g)}`));
    expect(await names("membership")).toEqual(memberships.sort());
    // The external ids are entryUUIDs, so these find rows by their names only.
    const byUser = await listSyncLog(t.ctx("viewer"), first.id, { q: userUid(7) });
    expect(byUser.records.map((r) => [r.objectType, r.name])).toEqual([
      ["account", userUid(7)],
      ["membership", `${userUid(7)} in ${groupCn(1)}`],
    ]);
    expect(byUser.records.every((r) => !r.externalId.includes(userUid(7)))).toBe(true);
    const byGroup = await listSyncLog(t.ctx("viewer"), first.id, { q: groupCn(2).toUpperCase() });
    expect(byGroup.records.map((r) => r.objectType)).toEqual([
      "group",
      "membership",
      "membership",
      "membership",
      "membership",
      "membership",
    ]);
    expect((await listSyncLog(t.ctx("viewer"), first.id, { q: `${userUid(12)} in ${groupCn(2)}` })).records.map((r) => r.name)).toEqual([
      `${userUid(12)} in ${groupCn(2)}`,
    ]);
  });

  it("keeps secrets encrypted, write-only and out of the audit log", async () => {
    const { t, slapd, integrationId } = await syncedLdap();
    const view = await getIntegration(t.ctx("viewer"), integrationId);
    expect(view.config.bindPassword).toBe("********");
    const [row] = await getSql()`select config, secrets from integrations where id = ${integrationId}`;
    expect(JSON.stringify(row.config)).not.toContain(slapd.bindPassword);
    expect(row.secrets).not.toContain(slapd.bindPassword);
    const created = await expectAuditRow(t.id, "ConnectionProfile", "Create", "Corporate LDAP");
    expect(JSON.stringify(created)).not.toContain(slapd.bindPassword);
    expect(created.changes).toContainEqual({ field: "config.bindPassword", before: null, after: "[redacted]" });
    await expectAuditRow(t.id, "MappingConfig", "Create", "Corporate LDAP mapping");
  });

  it("a later sync reports updated, unchanged and deleted records", async () => {
    const { t, slapd, integrationId, first } = await syncedLdap();
    await slapd.addLdif(`dn: ${userDn(3)}\nchangetype: modify\nreplace: mail\nmail: renamed@example.test\n`);
    await slapd.addLdif(`dn: ${userDn(29)}\nchangetype: delete\n`);
    const { sync } = await requestSync(t.ctx("operator"), integrationId, {});
    const done = await waitForSync(t.id, sync.id);
    expect(done.status).toBe("post_sync_completed");
    expect(done.trigger).toBe("manual");
    expect(done.counts.account).toMatchObject({ extracted: 29, created: 0, updated: 1, deleted: 1, unchanged: 28 });
    const updated = await listSyncLog(t.ctx("operator"), sync.id, { outcome: "updated" });
    expect(updated.records).toHaveLength(1);
    expect(updated.records[0].name).toBe(userUid(3));
    // The deleted account is logged under the name it had in the current state, and found by it.
    const deleted = await listSyncLog(t.ctx("operator"), sync.id, { outcome: "deleted" });
    expect(deleted.records.map((r) => [r.objectType, r.name])).toEqual([["account", userUid(29)]]);
    expect((await listSyncLog(t.ctx("operator"), sync.id, { q: userUid(29) })).records.map((r) => r.id)).toEqual([deleted.records[0].id]);
    const [changed] = await getSql()`
      select fields from identity_objects where integration_id = ${integrationId} and external_id = ${updated.records[0].externalId}`;
    expect(changed.fields.email).toBe("renamed@example.test");
    const history = await listSyncHistory(t.ctx("viewer"), integrationId);
    expect(history.syncs.map((s) => s.id)).toEqual([sync.id, first.id]);
  });

  it("wrong credentials end in error with the server's message and keep the current data", async () => {
    const { t, slapd, integrationId } = await syncedLdap();
    const { sync } = await updateIntegration(t.ctx("admin"), integrationId, {
      config: ldapConfig(slapd, { bindPassword: "wrong-password" }),
    });
    const done = await waitForSync(t.id, sync!.id);
    expect(done.status).toBe("error");
    expect(done.message).toMatch(/invalid credentials/i);
    expect(done.message).not.toContain("[object Object]");
    expect(await currentCount(integrationId, "account")).toBe(30);
    const audit = await expectAuditRow(t.id, "ConnectionProfile", "Update", "Corporate LDAP");
    expect(audit.changes).toEqual([{ field: "config.bindPassword", before: "[redacted]", after: "[redacted]" }]);
  });

  it("a save that changes nothing starts nothing; a masked password keeps the stored one", async () => {
    const { t, slapd, integrationId } = await syncedLdap();
    const unchanged = await updateIntegration(t.ctx("admin"), integrationId, { config: ldapConfig(slapd, { bindPassword: "********" }) });
    expect(unchanged.sync).toBeNull();
    const { sync } = await requestSync(t.ctx("admin"), integrationId, {});
    expect((await waitForSync(t.id, sync.id)).status).toBe("post_sync_completed");
  });

  it("holds a result that dropped past the threshold, until an admin releases it", async () => {
    const { t, slapd, integrationId } = await syncedLdap();
    for (let i = 10; i < 30; i++) await slapd.addLdif(`dn: ${userDn(i)}\nchangetype: delete\n`);
    const { sync } = await requestSync(t.ctx("operator"), integrationId, {});
    const held = await waitForSync(t.id, sync.id);
    expect(held.status).toBe("held");
    expect(held.message).toMatch(/Accounts dropped from 30 to 10 \(−67 %\), more than the 30 % threshold/);
    expect(await currentCount(integrationId, "account")).toBe(30);

    await expect(releaseHeldSync(t.ctx("operator"), sync.id)).rejects.toMatchObject({ code: "forbidden:syncs:release" });
    await releaseHeldSync(t.ctx("admin"), sync.id);
    const released = await waitForSync(t.id, sync.id);
    expect(released.status).toBe("post_sync_completed");
    expect(await currentCount(integrationId, "account")).toBe(10);
    await expectAuditRow(t.id, "SyncExecution", "Release");
    // Memberships of the deleted users are gone from the state; the log names them as they were.
    const gone = await listSyncLog(t.ctx("viewer"), sync.id, { outcome: "deleted", objectType: "membership" });
    expect(gone.records.map((r) => r.name)).toContain(`${userUid(10)} in ${groupCn(2)}`);
    expect(gone.records).toHaveLength(10);
  });

  it("a sync whose worker died is marked error and its data is not applied", async () => {
    const { t, integrationId } = await syncedLdap();
    const dead = await insertDeadSync(t.id, integrationId);
    const done = await waitForSync(t.id, dead);
    expect(done.status).toBe("error");
    expect(done.message).toMatch(/stopped responding/);
    expect(await currentCount(integrationId, "account")).toBe(30);
  });

  it("Pipeline Health counts this tenant's syncs, failures and per-integration last success", async () => {
    const { getPipelineHealth } = await import("@/lib/syncs/health");
    const { t, slapd, integrationId, first } = await syncedLdap();
    const { sync: failed } = await updateIntegration(t.ctx("admin"), integrationId, {
      config: ldapConfig(slapd, { bindPassword: "wrong-password" }),
    });
    expect((await waitForSync(t.id, failed!.id)).status).toBe("error");
    expect((await waitForSync(t.id, await insertDeadSync(t.id, integrationId))).status).toBe("error");
    const health = await getPipelineHealth(t.ctx("viewer"));
    expect(health.totals.syncs24h).toBe(3);
    expect(health.totals.errorRate).toBeCloseTo(2 / 3, 2);
    expect(health.hours).toHaveLength(24);
    const row = health.integrations.find((i) => i.id === integrationId)!;
    expect(new Date(row.last_success_at!).getTime()).toBe(new Date(first.endedAt!).getTime());
    expect(row.failures_24h).toBe(2);
    const other = await makeTenant();
    expect((await getPipelineHealth(other.ctx("admin"))).integrations).toHaveLength(0);
    await expect(getPipelineHealth(other.ctx("reviewer"))).rejects.toMatchObject({ code: "forbidden:syncs:read" });
  });

  it("honours Idempotency-Key and refuses other tenants and read-only roles", async () => {
    const { t, slapd, integrationId } = await syncedLdap();
    const first = await requestSync(t.ctx("admin"), integrationId, { idempotencyKey: "abc-1" }, "api");
    const again = await requestSync(t.ctx("admin"), integrationId, { idempotencyKey: "abc-1" }, "api");
    expect(again.sync.id).toBe(first.sync.id);
    expect(again.replayed).toBe(true);
    await waitForSync(t.id, first.sync.id);

    const other = await makeTenant();
    await expect(getIntegration(other.ctx("admin"), integrationId)).rejects.toMatchObject({ code: "not_found:integration" });
    await expect(requestSync(other.ctx("admin"), integrationId, {})).rejects.toMatchObject({ code: "not_found:integration" });
    await expect(updateIntegration(other.ctx("admin"), integrationId, { name: "pwned" })).rejects.toMatchObject({
      code: "not_found:integration",
    });
    await expect(getSync(other.ctx("admin"), first.sync.id)).rejects.toMatchObject({ code: "not_found:sync" });
    await expect(requestSync(t.ctx("viewer"), integrationId, {})).rejects.toMatchObject({ code: "forbidden:syncs:run" });
    await expect(createIntegration(t.ctx("auditor"), { name: "x", connector: "ldap", config: ldapConfig(slapd) })).rejects.toMatchObject({
      code: "forbidden:integrations:write",
    });
  });

  it("refuses bad settings with per-field messages and writes nothing", async () => {
    const t = await makeTenant();
    await expect(
      createIntegration(t.ctx("admin"), { name: "Broken", connector: "ldap", config: { url: "http://nope", baseDn: "" } }),
    ).rejects.toMatchObject({ code: "unprocessable:validation", fieldErrors: { "config.url": [expect.any(String)] } });
    expect(await auditRows(t.id, "ConnectionProfile", "Create")).toHaveLength(0);
  });

  it("refuses connector hosts outside the network policy, at save, at test and at sync time", async () => {
    const [slapd, t] = await Promise.all([directory(), makeTenant()]);
    await expect(
      createIntegration(t.ctx("admin"), {
        name: "Metadata",
        connector: "ldap",
        config: ldapConfig(slapd, { url: "ldap://169.254.169.254" }),
      }),
    ).rejects.toMatchObject({ fieldErrors: { "config.url": [expect.stringContaining("link-local, metadata or reserved")] } });

    const { integration, sync: first } = await createIntegration(t.ctx("admin"), {
      name: "Policy",
      connector: "ldap",
      config: ldapConfig(slapd),
    });
    await waitForSync(t.id, first!.id);
    const allowed = process.env.CONNECTOR_ALLOWED_HOSTS;
    process.env.CONNECTOR_ALLOWED_HOSTS = "ldap.corp.example";
    resetConfigCache();
    try {
      await expect(testConnection(t.ctx("admin"), { connector: "ldap", config: ldapConfig(slapd) })).rejects.toMatchObject({
        fieldErrors: { "config.url": ["127.0.0.1 is not in the hosts connectors may reach (CONNECTOR_ALLOWED_HOSTS)"] },
      });
      const { sync } = await requestSync(t.ctx("admin"), integration.id, {});
      const done = await waitForSync(t.id, sync.id);
      expect(done.status).toBe("error");
      expect(done.message).toMatch(/^Refused to connect: 127\.0\.0\.1 is not in the hosts/);
    } finally {
      process.env.CONNECTOR_ALLOWED_HOSTS = allowed;
      resetConfigCache();
    }
  });

  it("delete keeps the sync history and is audited", async () => {
    const { t, integrationId } = await syncedLdap();
    const { sync } = await requestSync(t.ctx("admin"), integrationId, {});
    await waitForSync(t.id, sync.id);
    await deleteIntegration(t.ctx("admin"), integrationId);
    await expectAuditRow(t.id, "ConnectionProfile", "Delete", "Corporate LDAP");
    await expectAuditRow(t.id, "MappingConfig", "Delete", "Corporate LDAP mapping");
    const [n] = await getSql()`select count(*)::int as n from sync_executions where integration_id = ${integrationId}`;
    expect(n.n).toBe(2);
    await expect(getIntegration(t.ctx("admin"), integrationId)).rejects.toMatchObject({ code: "not_found:integration" });
    const history = await listSyncHistory(t.ctx("auditor"), integrationId);
    expect(history.integration.deleted).toBe(true);
    expect(history.syncs).toHaveLength(2);
  });
});

describe("delta syncs", () => {
  it("read only what changed since the cursor and replace a changed group's members", async () => {
    const [slapd, t] = await Promise.all([directory(), makeTenant()]);
    // The account cursor is the newest modifyTimestamp the full sync sees (whole seconds): a
    // change a second after anything else keeps the other accounts before it, however fast
    // the test ran after the directory was loaded.
    await new Promise((r) => setTimeout(r, 1100));
    await slapd.addLdif(`dn: ${userDn(3)}\nchangetype: modify\nreplace: description\ndescription: delta cursor\n`);
    const { integration, sync } = await createIntegration(t.ctx("admin"), {
      name: "Delta members",
      connector: "ldap",
      config: ldapConfig(slapd),
    });
    await waitForSync(t.id, sync!.id);
    const before = await currentCount(integration.id, "membership");
    // Group 1 loses one member; everything else is untouched.
    await new Promise((r) => setTimeout(r, 1100)); // modifyTimestamp has whole seconds
    await slapd.addLdif(`dn: cn=${groupCn(1)},${GROUPS_DN}\nchangetype: modify\ndelete: member\nmember: ${userDn(5)}\n`);
    const { sync: delta } = await requestSync(t.ctx("admin"), integration.id, { mode: "delta" });
    const done = await waitForSync(t.id, delta.id);
    expect(done.status).toBe("post_sync_completed");
    expect(done.mode).toBe("delta");
    expect(done.counts.account?.extracted ?? 0).toBeLessThan(10);
    expect(done.counts.membership).toMatchObject({ deleted: 1 });
    expect(await currentCount(integration.id, "membership")).toBe(before - 1);
    const removed = await listSyncLog(t.ctx("viewer"), delta.id, { outcome: "deleted" });
    expect(removed.records.map((r) => [r.objectType, r.name])).toEqual([["membership", `${userUid(5)} in ${groupCn(1)}`]]);
    // A delta never retires accounts it did not see.
    expect(await currentCount(integration.id, "account")).toBeGreaterThan(5);

    // A full run compares with the state the delta left (base plus overlay), then becomes the base.
    const accounts = await currentCount(integration.id, "account");
    const { sync: full } = await requestSync(t.ctx("admin"), integration.id, { mode: "full" });
    const fullDone = await waitForSync(t.id, full.id);
    expect(fullDone.mode).toBe("full");
    expect(fullDone.counts.membership).toMatchObject({ extracted: before - 1, unchanged: before - 1, created: 0, deleted: 0 });
    expect(fullDone.counts.account).toMatchObject({ extracted: accounts, unchanged: accounts, deleted: 0 });
    expect(await currentCount(integration.id, "membership")).toBe(before - 1);
    const [state] = await getSql()`
      select base_sync_execution_id as base, (select count(*)::int from identity_overlay where integration_id = ${integration.id}) as overlay
        from identity_states where integration_id = ${integration.id}`;
    expect(state).toMatchObject({ base: full.id, overlay: 0 });
  });
});

describe("extraction cursors", () => {
  it("are kept per object type after a delta-capable sync, and can be reset and deleted (audited)", async () => {
    const [slapd, t] = await Promise.all([directory(), makeTenant()]);
    const { integration, sync } = await createIntegration(t.ctx("admin"), {
      name: "Delta LDAP",
      connector: "ldap",
      config: ldapConfig(slapd),
    });
    await waitForSync(t.id, sync!.id);
    const cursors = await listCursors(t.ctx("viewer"), integration.id);
    expect(cursors.map((c) => c.objectType)).toContain("account");
    await resetCursor(t.ctx("admin"), { integrationId: integration.id, objectType: "account" });
    await expectAuditRow(t.id, "ExtractionCursor", "Reset", "Delta LDAP / account");
    expect((await listCursors(t.ctx("admin"), integration.id)).find((c) => c.objectType === "account")?.position).toBe("");
    const { deleteCursor } = await import("@/lib/integrations/service");
    await deleteCursor(t.ctx("admin"), { integrationId: integration.id, objectType: "account" });
    await expectAuditRow(t.id, "ExtractionCursor", "Delete", "Delta LDAP / account");
    await expect(deleteCursor(t.ctx("viewer"), { integrationId: integration.id, objectType: "group" })).rejects.toMatchObject({
      code: "forbidden:integrations:write",
    });
  });
});

describe("CSV integrations", () => {
  it("sync files uploaded to the tenant, report bad rows by line, and may not read another tenant's files", async () => {
    const { getObjectStore } = await import("@/lib/storage");
    const { tenantUploadPrefix } = await import("@/lib/uploads/service");
    const t = await makeTenant();
    const other = await makeTenant();
    const key = `${tenantUploadPrefix(t.id)}accounts.csv`;
    await getObjectStore().put(key, "externalId,username,email\nu1,alice,alice@x.test\n,missing,id@x.test\nu3,carol,carol@x.test\n");
    const { integration, sync } = await createIntegration(t.ctx("operator"), {
      name: "HR export",
      connector: "csv",
      config: { files: { accounts: key } },
    });
    const done = await waitForSync(t.id, sync!.id);
    expect(`${done.status}: ${done.message}`).toMatch(/^post_sync_completed/);
    expect(done.counts.account).toMatchObject({ extracted: 2, created: 2, skipped: 1 });
    const skipped = await listSyncLog(t.ctx("operator"), sync!.id, { outcome: "skipped" });
    expect(skipped.records[0].reason).toMatch(/id/i);
    expect(skipped.records[0].externalId).toMatch(/line 3/);
    // The row had no id but had a username: the log names it.
    expect(skipped.records[0].name).toBe("missing");
    expect(await currentCount(integration.id, "account")).toBe(2);

    // The same external id twice in the source: the first row is kept, the repeat is skipped with its reason.
    const dupKey = `${tenantUploadPrefix(t.id)}dups.csv`;
    await getObjectStore().put(dupKey, "externalId,username\nd1,first\nd2,other\nd1,again\n");
    const dup = await createIntegration(t.ctx("operator"), { name: "Dups", connector: "csv", config: { files: { accounts: dupKey } } });
    const dupDone = await waitForSync(t.id, dup.sync!.id);
    expect(dupDone.counts.account).toMatchObject({ created: 2, skipped: 1 });
    const dupLog = await listSyncLog(t.ctx("operator"), dup.sync!.id, { outcome: "skipped" });
    expect(dupLog.records.map((r) => [r.externalId, r.name, r.reason])).toEqual([["d1", "again", "duplicate external id in the source"]]);
    const [kept] =
      await getSql()`select fields->>'username' as u from identity_objects where integration_id = ${dup.integration.id} and external_id = 'd1'`;
    expect(kept.u).toBe("first");

    await expect(
      createIntegration(other.ctx("admin"), { name: "Snoop", connector: "csv", config: { files: { accounts: key } } }),
    ).rejects.toMatchObject({ fieldErrors: { "config.files.accounts": [expect.stringContaining("uploaded to this tenant")] } });
  });
});

describe("the current state", () => {
  it("a held run released after the state moved is compared again before it applies", async () => {
    const t = await makeTenant();
    const csv = await makeCsvIntegration(
      t,
      "Moving",
      "externalId,username,email\na1,ann,ann@x.test\na2,bob,bob@x.test\na3,cy,cy@x.test\na4,di,di@x.test\n",
    );
    expect((await waitForSync(t.id, csv.sync!.id)).counts.account).toMatchObject({ created: 4 });

    // Half the accounts gone: held, compared with the four-account state (a1 unchanged).
    await csv.put("externalId,username,email\na1,ann,ann@x.test\na2,bob,bob@x.test\n");
    const { sync: held } = await requestSync(t.ctx("admin"), csv.integration.id, {});
    expect((await waitForSync(t.id, held.id)).status).toBe("held");

    // Meanwhile a run with a looser threshold applies a changed a1.
    await csv.put("externalId,username,email\na1,ann,ann@new.test\na2,bob,bob@x.test\n");
    const { sync: meanwhile } = await updateIntegration(t.ctx("admin"), csv.integration.id, { dropThresholdPercent: 60 });
    expect((await waitForSync(t.id, meanwhile!.id)).counts.account).toMatchObject({ updated: 1, deleted: 2 });

    await releaseHeldSync(t.ctx("admin"), held.id);
    const released = await waitForSync(t.id, held.id);
    expect(released.status).toBe("post_sync_completed");
    // Against the state it is applied to, the held run's a1 is a change back, not "unchanged".
    expect(released.counts.account).toMatchObject({ extracted: 2, updated: 1, unchanged: 1, deleted: 0 });
    const log = await listSyncLog(t.ctx("viewer"), held.id, { outcome: "updated" });
    expect(log.records.map((r) => r.externalId)).toEqual(["a1"]);
    const [a1] =
      await getSql()`select fields->>'email' as email from identity_objects where integration_id = ${csv.integration.id} and external_id = 'a1'`;
    expect(a1.email).toBe("ann@x.test");
  });

  it("the Sync Log pages through staged records and logged deletions and skips with one cursor", async () => {
    const t = await makeTenant();
    const rows = (n: number, skipEvery: number, suffix = "") =>
      Array.from({ length: n }, (_, i) => (i % skipEvery === skipEvery - 1 ? `,nobody${i}` : `u${i},user${i}${suffix}`)).join("\n");
    const csv = await makeCsvIntegration(t, "Paged", `externalId,username\n${rows(240, 40)}\n`);
    const first = await waitForSync(t.id, csv.sync!.id);
    expect(first.counts.account).toMatchObject({ extracted: 234, created: 234, skipped: 6 });

    // Second run: the last 30 lines gone (29 accounts, 1 bad row), 10 changed, the rest unchanged.
    await csv.put(`externalId,username\n${rows(10, 40, "-renamed")}\n${rows(210, 40).split("\n").slice(10).join("\n")}\n`);
    const { sync } = await updateIntegration(t.ctx("admin"), csv.integration.id, { dropThresholdPercent: 90 });
    const done = await waitForSync(t.id, sync!.id);
    expect(done.counts.account).toMatchObject({ updated: 10, unchanged: 195, deleted: 29, skipped: 5 });

    const seen: { id: number; outcome: string }[] = [];
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listSyncLog>> = await listSyncLog(t.ctx("viewer"), sync!.id, after ? { after } : {});
      seen.push(...page.records.map((r) => ({ id: r.id, outcome: r.outcome })));
      after = page.next;
    } while (after);
    expect(seen).toHaveLength(205 + 29 + 5);
    expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
    expect(seen.map((r) => r.id)).toEqual([...seen.map((r) => r.id)].sort((a, b) => a - b));
    const tally = seen.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.outcome]: (acc[r.outcome] ?? 0) + 1 }), {});
    expect(tally).toEqual({ updated: 10, unchanged: 195, deleted: 29, skipped: 5 });
    expect((await listSyncLog(t.ctx("viewer"), sync!.id, { outcome: "deleted" })).records).toHaveLength(29);
    expect(
      (await listSyncLog(t.ctx("viewer"), sync!.id, { outcome: "unchanged", q: "u1" })).records.every((r) => r.externalId.includes("u1")),
    ).toBe(true);
    // Another tenant sees nothing of it.
    const other = await makeTenant();
    await expect(listSyncLog(other.ctx("admin"), sync!.id, {})).rejects.toMatchObject({ code: "not_found:sync" });
  });
});

describe("several workers", () => {
  it("share the queue but never run two syncs of one integration at once", async () => {
    const [slapd, t] = await Promise.all([directory(), makeTenant()]);
    const extra = [1, 2].map(() => startWorker({ db: getDb(), idlePollSeconds: 0.1, heartbeatSeconds: 1, staleAfterSeconds: 30 }));
    try {
      const ids: { integrationId: string; syncId: string }[] = [];
      for (const name of ["Directory A", "Directory B", "Directory C"]) {
        const { integration, sync } = await createIntegration(t.ctx("operator"), { name, connector: "ldap", config: ldapConfig(slapd) });
        ids.push({ integrationId: integration.id, syncId: sync!.id });
        for (let i = 0; i < 2; i++) {
          // A request while a sync is queued joins it: each of these waits for the one before to start.
          await waitForStart(t.id, ids[ids.length - 1].syncId);
          const { sync: more, joined } = await requestSync(t.ctx("operator"), integration.id, {});
          expect(joined).toBe(false);
          ids.push({ integrationId: integration.id, syncId: more.id });
        }
      }
      const done = await Promise.all(ids.map(({ syncId }) => waitForSync(t.id, syncId, 60_000)));
      expect(done.map((d) => d.status)).toEqual(ids.map(() => "post_sync_completed"));
      expect(new Set(done.map((d) => d.workerId)).size).toBeGreaterThan(1);

      for (const { integrationId } of ids.filter((_, i) => i % 3 === 0)) {
        const runs = done
          .filter((d) => d.integrationId === integrationId)
          .map((d) => ({ start: new Date(d.startedAt!).getTime(), end: new Date(d.endedAt!).getTime() }))
          .sort((a, b) => a.start - b.start);
        expect(runs).toHaveLength(3);
        for (let i = 1; i < runs.length; i++) expect(runs[i].start).toBeGreaterThanOrEqual(runs[i - 1].end);
        const extracted = done.find((d) => d.integrationId === integrationId)!.counts.account?.extracted;
        expect(extracted).toBe(30);
        expect(await currentCount(integrationId, "account")).toBe(extracted);
      }
    } finally {
      await Promise.all(extra.map((w) => w.stop()));
    }
  }, 90_000);
});
