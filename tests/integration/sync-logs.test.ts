/**
 * The Sync Logs page's service: every sync's per-record results for one
 * tenant, newest first, with filters, keyset pages and an audited CSV export.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, } from "@/db/client";
import { getSyncExecution } from "@/db/queries/syncs";
import { requestSync } from "@/lib/syncs/service";
import { exportTenantSyncLog, listTenantSyncLog, SYNC_LOGS_PAGE_SIZE, type TenantSyncLogEntry } from "@/lib/syncs/tenant-log";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { expectAuditRow, makeCsvIntegration, makeTenant, type TestTenant } from "../helpers/factories";

let worker: Worker;
let a: TestTenant;
let b: TestTenant;
let hr: { id: string; firstSync: string; secondSync: string };
let contractors: { id: string };
let otherTenantIntegration: string;

async function waitForSync(tenantId: string, id: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const sync = await getSyncExecution(getDb(), tenantId, id);
    if (sync && !["queued", "syncing", "completed"].includes(sync.status)) return sync;
    if (Date.now() > deadline) throw new Error(`sync ${id} still ${sync?.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const accounts = (prefix: string, n: number, name = (i: number) => `${prefix}user${i}`) =>
  `externalId,username\n${Array.from({ length: n }, (_, i) => `${prefix}${i},${name(i)}`).join("\n")}\n`;

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.1, heartbeatSeconds: 1 });
  [a, b] = await Promise.all([makeTenant(), makeTenant()]);
  const hrCsv = await makeCsvIntegration(a, "HR", accounts("hr", 120));
  const first = await waitForSync(a.id, hrCsv.sync!.id);
  expect(first.status).toBe("post_sync_completed");
  // Second HR sync: hr0 renamed, hr119 gone.
  await hrCsv.put(accounts("hr", 119, (i) => (i === 0 ? "renamed-zero" : `hruser${i}`)));
  const second = await requestSync(a.ctx("operator"), hrCsv.integration.id, {});
  expect((await waitForSync(a.id, second.sync.id)).status).toBe("post_sync_completed");
  hr = { id: hrCsv.integration.id, firstSync: first.id, secondSync: second.sync.id };
  const c = await makeCsvIntegration(a, "Contractors", accounts("ctr", 3));
  await waitForSync(a.id, c.sync!.id);
  contractors = { id: c.integration.id };
  const other = await makeCsvIntegration(b, "Other-HR", accounts("hr", 5));
  await waitForSync(b.id, other.sync!.id);
  otherTenantIntegration = other.integration.id;
}, 60_000);

afterAll(async () => {
  await worker?.stop();
});

async function all(t: TestTenant, filters: Record<string, string> = {}) {
  const out: TenantSyncLogEntry[] = [];
  let before: string | null | undefined;
  do {
    const page = await listTenantSyncLog(t.ctx("viewer"), { ...filters, before });
    out.push(...page.records);
    before = page.next;
  } while (before);
  return out;
}

describe("Sync Logs across integrations", () => {
  it("pages through every sync of the tenant newest first, and never another tenant's", async () => {
    const first = await listTenantSyncLog(a.ctx("viewer"), {});
    expect(first.records).toHaveLength(SYNC_LOGS_PAGE_SIZE);
    expect(first.next).not.toBeNull();
    // The newest sync (Contractors) comes first.
    expect(first.records[0].integrationName).toBe("Contractors");
    const rows = await all(a);
    // 120 + (1 updated + 118 unchanged + 1 deleted) + 3
    expect(rows).toHaveLength(243);
    const ids = rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
    expect(new Set(rows.map((r) => r.integrationName))).toEqual(new Set(["HR", "Contractors"]));
    expect((await all(b)).every((r) => r.integrationName === "Other-HR")).toBe(true);
    // Another tenant's integration as the filter shows nothing, not its records.
    expect((await listTenantSyncLog(a.ctx("viewer"), { integrationId: otherTenantIntegration })).records).toEqual([]);
  });

  it("filters by integration, outcome, object type, text and the sync's date", async () => {
    const hrRows = await all(a, { integrationId: hr.id });
    expect(hrRows).toHaveLength(240);
    expect(hrRows.every((r) => r.integrationId === hr.id)).toBe(true);
    expect((await all(a, { integrationId: contractors.id })).map((r) => r.externalId).sort()).toEqual(["ctr0", "ctr1", "ctr2"]);

    const deleted = await all(a, { outcome: "deleted" });
    expect(deleted.map((r) => [r.externalId, r.syncId])).toEqual([["hr119", hr.secondSync]]);
    const updated = await all(a, { outcome: "updated" });
    expect(updated.map((r) => r.name)).toEqual(["renamed-zero"]);

    expect(await all(a, { objectType: "group" })).toEqual([]);
    expect((await all(a, { objectType: "account" })).length).toBe(243);

    const found = await all(a, { q: "RENAMED" });
    expect(found.map((r) => r.externalId)).toEqual(["hr0"]);
    expect((await all(a, { q: "ctr1" })).map((r) => r.name)).toEqual(["ctruser1"]);

    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await all(a, { from: today, to: today })).length).toBe(243);
    expect(await all(a, { from: tomorrow })).toEqual([]);
  });

  it("refuses a role without syncs:read and filters that cannot apply, with sentences", async () => {
    await expect(listTenantSyncLog(a.ctx("reviewer"), {})).rejects.toMatchObject({ code: "forbidden:syncs:read" });
    await expect(listTenantSyncLog(a.ctx("viewer"), { from: "2026-11-30", to: "2026-11-01" })).rejects.toMatchObject({
      fieldErrors: { to: ["must not be before the start date"] },
    });
    await expect(listTenantSyncLog(a.ctx("viewer"), { outcome: "exploded" })).rejects.toMatchObject({
      fieldErrors: { outcome: ["is not an outcome"] },
    });
    await expect(listTenantSyncLog(a.ctx("viewer"), { before: "abc" })).rejects.toMatchObject({ code: "bad_request:cursor" });
  });

  it("exports every matching record and records the export in the Audit Log", async () => {
    const rows: TenantSyncLogEntry[] = [];
    for await (const r of await exportTenantSyncLog(a.ctx("auditor"), { outcome: "unchanged" })) rows.push(r);
    expect(rows).toHaveLength(118);
    expect(rows.every((r) => r.outcome === "unchanged" && r.syncId === hr.secondSync)).toBe(true);
    const event = await expectAuditRow(a.id, "SyncLog", "Export", "All syncs");
    expect(event.details).toBe("Exported the Sync Logs of all syncs as CSV (outcome=unchanged)");
  });
});
