/**
 * The provisioning sources that act on their own: a completed campaign's
 * revokes become revoke tasks linked to their items (only where the
 * application is provisioned), each item follows its task, and the next sync
 * that no longer sees what was revoked proves the removal; an expired grant is
 * revoked once, however many workers look for it.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { completeCampaign } from "@/lib/campaigns/lifecycle";
import { decideItems, listItems } from "@/lib/campaigns/review";
import { createCampaign } from "@/lib/campaigns/service";
import { lockTaskById } from "@/db/queries/provisioning";
import { queueExpiredGrants } from "@/lib/provisioning/expiry";
import { finishTask } from "@/lib/provisioning/internal";
import { confirmTask, createManualTask, retryTask, updateProvisioningSettings } from "@/lib/provisioning/service";
import { requestSync } from "@/lib/syncs/service";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { GET as itemsRoute } from "@/app/api/v1/campaigns/[id]/items/route";
import { makeApiKeyCtx, makeCsvDirectory, makeTenant, type TestTenant, waitForSyncEnd } from "../helpers/factories";
import { waitUntil } from "../helpers/wait";

let worker: Worker;
let t: TestTenant;
let hr: Awaited<ReturnType<typeof makeCsvDirectory>>;
let legacy: Awaited<ReturnType<typeof makeCsvDirectory>>;

// Enough others beside alice, bob and carol that removing one membership stays under the drop guard's threshold.
const OTHERS = Array.from({ length: 20 }, (_, i) => `x${i}`);
const accounts = (disabled: string[] = []) =>
  "externalId,username,displayName,status\n" +
  ["u1,alice,Alice", "u2,bob,Bob", "u3,carol,Carol", ...OTHERS.map((x) => `${x},${x},Other ${x}`)]
    .map((l) => `${l},${disabled.includes(l.split(",")[0]) ? "disabled" : "enabled"}`)
    .join("\n") +
  "\n";
const groups = "externalId,name\ng1,Payments Approvers\ng2,Sales Team\n";
const memberships = (rows: string[]) => `groupExternalId,memberExternalId\n${rows.join("\n")}\n`;
const ALL_MEMBERSHIPS = ["g1,u1", "g2,u2", "g1,u3", ...OTHERS.map((x) => `g2,${x}`)];

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.1, heartbeatSeconds: 1 });
  t = await makeTenant();
  hr = await makeCsvDirectory(t, "HR Directory", { accounts: accounts(), groups, memberships: memberships(ALL_MEMBERSHIPS) });
  legacy = await makeCsvDirectory(t, "Legacy App", { accounts: accounts(), groups, memberships: memberships(ALL_MEMBERSHIPS) });
  await waitForSyncEnd(t.id, hr.sync!.id);
  await waitForSyncEnd(t.id, legacy.sync!.id);
  // HR is fulfilled by hand (a CSV application); Legacy has provisioning off.
  await updateProvisioningSettings(t.ctx("admin"), { integrationId: hr.integration.id, enabled: true, mode: "manual" });
}, 90_000);

afterAll(async () => {
  await worker?.stop();
});

type ItemRow = {
  id: number;
  integrationId: string;
  objectType: string;
  externalId: string;
  remediation: string | null;
  remediationTaskId: string | null;
  remediationVerifiedSyncId: string | null;
};

async function itemsOf(campaignId: string) {
  return getDb().execute<ItemRow>(sql`
    select id::int, integration_id::text as "integrationId", object_type as "objectType", external_id as "externalId", remediation,
           remediation_task_id::text as "remediationTaskId", remediation_verified_sync_id::text as "remediationVerifiedSyncId"
      from campaign_items where campaign_id = ${campaignId} order by id`);
}

async function taskRow(id: string) {
  const [row] = await getDb().execute<{
    id: string;
    action: string;
    source: string;
    sourceRefType: string;
    sourceRefId: string;
    objectKey: string;
    accountExternalId: string | null;
    groupExternalId: string | null;
    integrationId: string;
    status: string;
    waiting: boolean;
  }>(sql`
    select id::text, action, source, source_ref_type as "sourceRefType", source_ref_id as "sourceRefId", object_key as "objectKey",
           account_external_id as "accountExternalId", group_external_id as "groupExternalId", integration_id::text as "integrationId", status,
           status = 'running' and worker_id is null as waiting
      from provisioning_tasks where id = ${id}`);
  return row;
}

/** Waits for the worker to take a task; a manual fulfilment task then waits, running, for someone to carry it out. */
async function running(id: string) {
  return waitUntil(`task ${id} waiting for someone`, async () => {
    const row = await taskRow(id);
    return row.waiting ? row : null;
  });
}

/** The target reports an outcome for a running task (as a callback or the engine ends it). */
async function finish(id: string, outcome: "success" | "failed") {
  await running(id);
  await getDb().transaction(async (tx) => {
    const task = await lockTaskById(tx, id);
    expect(await finishTask(tx, task!, { outcome, message: outcome === "failed" ? "The target refused" : null })).not.toBeNull();
  });
}

async function syncNow(integrationId: string) {
  const { sync } = await requestSync(t.ctx("operator"), integrationId, {});
  const ended = await waitForSyncEnd(t.id, sync.id);
  expect(ended.status).toBe("post_sync_completed");
  return sync.id;
}

describe("Access Compliance Review remediation", () => {
  let campaignId: string;
  let items: ItemRow[];
  const find = (integrationId: string, objectType: string, externalId: string) =>
    items.find((i) => i.integrationId === integrationId && i.objectType === objectType && i.externalId.includes(externalId))!;

  it("completing a campaign queues a revoke task per revoked account or membership of a provisioned application, linked to its item", async () => {
    const { id } = await createCampaign(t.ctx("admin"), {
      name: "Quarterly review",
      dueDate: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
      reviewerMode: "members",
      reviewerIds: [t.users.admin.id],
      filter: { integrationIds: [hr.integration.id, legacy.integration.id], entityTypes: ["account", "membership", "group"] },
    });
    campaignId = id;
    items = [...(await itemsOf(id))];
    const revoke = [
      find(hr.integration.id, "membership", "u1"), // alice out of Payments Approvers
      find(hr.integration.id, "account", "u2"), // bob's account
      find(hr.integration.id, "group", "g2"), // the Sales Team group itself
      find(legacy.integration.id, "membership", "u1"), // provisioning is off there
    ];
    await decideItems(t.ctx("admin"), id, { itemIds: revoke.map((i) => i.id), decision: "revoke", comment: "left the team" });
    await decideItems(t.ctx("admin"), id, { filter: { status: "undecided" }, decision: "approve" });
    const done = await completeCampaign(t.ctx("admin"), id);
    expect(done.remediation).toEqual({ queued: 2, notProvisioned: 1, notAccountOperations: 1 });
    expect(done.message).toContain("2 revoke tasks queued");
    expect(done.message).toContain("1 revoke on applications without provisioning stay pending");
    expect(done.message).toMatch(/1 revoke of groups, roles or entitlements themselves stay pending: they are not account operations/);

    items = [...(await itemsOf(id))];
    const membership = find(hr.integration.id, "membership", "u1");
    expect(membership.remediation).toBe("in_progress");
    expect(await taskRow(membership.remediationTaskId!)).toMatchObject({
      action: "revoke",
      source: "access_review",
      sourceRefType: "campaign_item",
      sourceRefId: String(membership.id),
      objectKey: "alice",
      accountExternalId: "u1",
      groupExternalId: "g1",
      integrationId: hr.integration.id,
    });
    const account = find(hr.integration.id, "account", "u2");
    expect(account.remediation).toBe("in_progress");
    expect(await taskRow(account.remediationTaskId!)).toMatchObject({
      action: "disable",
      source: "access_review",
      sourceRefId: String(account.id),
      objectKey: "bob",
      accountExternalId: "u2",
    });
    // Not provisioned, or not an account operation: pending, no task.
    for (const item of [find(legacy.integration.id, "membership", "u1"), find(hr.integration.id, "group", "g2")]) {
      expect(item).toMatchObject({ remediation: "pending", remediationTaskId: null });
    }
    const tasks = await getDb().execute(sql`select 1 from provisioning_tasks where tenant_id = ${t.id} and source = 'access_review'`);
    expect(tasks).toHaveLength(2);
  });

  it("the item follows its task: success is removed, a failure shows, a retry takes the item over and its confirmation removes", async () => {
    const membership = find(hr.integration.id, "membership", "u1");
    await finish(membership.remediationTaskId!, "success");
    const account = find(hr.integration.id, "account", "u2");
    await finish(account.remediationTaskId!, "failed");
    items = [...(await itemsOf(campaignId))];
    expect(find(hr.integration.id, "membership", "u1").remediation).toBe("remediated");
    expect(find(hr.integration.id, "account", "u2").remediation).toBe("failed");

    const retry = await retryTask(t.ctx("operator"), account.remediationTaskId!, { parameters: {} });
    items = [...(await itemsOf(campaignId))];
    expect(find(hr.integration.id, "account", "u2")).toMatchObject({ remediation: "in_progress", remediationTaskId: retry.id });
    await running(retry.id);
    await confirmTask(t.ctx("operator"), retry.id, { reason: "Disabled by hand in the HR console" });
    items = [...(await itemsOf(campaignId))];
    expect(find(hr.integration.id, "account", "u2")).toMatchObject({ remediation: "remediated", remediationTaskId: retry.id });
  });

  it("a sync that no longer sees the membership, or sees the account disabled, verifies the removal with its id", async () => {
    // A sync that still sees them proves nothing.
    const unchanged = await syncNow(hr.integration.id);
    items = [...(await itemsOf(campaignId))];
    expect(find(hr.integration.id, "membership", "u1")).toMatchObject({ remediation: "remediated", remediationVerifiedSyncId: null });
    expect(unchanged).toBeTruthy();

    await hr.put({ accounts: accounts(["u2"]), memberships: memberships(ALL_MEMBERSHIPS.filter((m) => m !== "g1,u1")) });
    const proving = await syncNow(hr.integration.id);
    items = [...(await itemsOf(campaignId))];
    expect(find(hr.integration.id, "membership", "u1")).toMatchObject({ remediation: "verified", remediationVerifiedSyncId: proving });
    expect(find(hr.integration.id, "account", "u2")).toMatchObject({ remediation: "verified", remediationVerifiedSyncId: proving });
    // Items of the other integration and items never carried out are untouched.
    expect(find(legacy.integration.id, "membership", "u1").remediation).toBe("pending");

    // The proof is final: the database itself refuses to change it.
    await expect(
      getDb().execute(
        sql`update campaign_items set remediation = 'remediated' where id = ${find(hr.integration.id, "membership", "u1").id}`,
      ),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/its removal was verified by sync/) } });
  });

  it("the API's items carry the remediation status, the task and the verifying sync", async () => {
    const key = await makeApiKeyCtx(t, ["campaigns:read"]);
    const res = await itemsRoute(
      new Request(`http://localhost/api/v1/campaigns/${campaignId}/items?status=revoke`, {
        headers: { authorization: `Bearer ${key.secret}` },
      }),
      { params: Promise.resolve({ id: campaignId }) },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: ItemRow[] };
    const membership = body.data.find((i) => i.id === find(hr.integration.id, "membership", "u1").id)!;
    expect(membership).toMatchObject({
      remediation: "verified",
      remediationTaskId: find(hr.integration.id, "membership", "u1").remediationTaskId,
      remediationVerifiedSyncId: find(hr.integration.id, "membership", "u1").remediationVerifiedSyncId,
    });
    const page = await listItems(t.ctx("auditor"), campaignId, { status: "revoke" });
    expect(page.items.map((i) => i.remediation).sort()).toEqual(["pending", "pending", "verified", "verified"]);
  });
});

describe("Permission Expiry", () => {
  it("revokes an expired grant once, however many workers look at the same time", async () => {
    const { id: grant } = await createManualTask(t.ctx("operator"), {
      integrationId: hr.integration.id,
      action: "grant",
      account: { username: "Carol", externalId: "u3" },
      group: { externalId: "g2", name: "Sales Team" },
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    // Not granted yet: nothing to revoke even once expired.
    await getDb().execute(sql`update provisioning_tasks set expires_at = now() - interval '1 minute' where id = ${grant}`);
    await queueExpiredGrants(getDb());
    expect(
      await getDb().execute(sql`select 1 from provisioning_tasks where source = 'permission_expiry' and source_ref_id = ${grant}`),
    ).toHaveLength(0);

    await finish(grant, "success");
    const counts = await Promise.all([queueExpiredGrants(getDb()), queueExpiredGrants(getDb()), queueExpiredGrants(getDb())]);
    // The worker's own loop may have taken it first; in any case it was queued once.
    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
    const revokes = await getDb().execute<{
      id: string;
      action: string;
      objectName: string;
      initiatorName: string;
      sourceRefType: string;
    }>(sql`
      select id::text, action, object_name as "objectName", initiator_name as "initiatorName", source_ref_type as "sourceRefType"
        from provisioning_tasks where source = 'permission_expiry' and source_ref_id = ${grant}`);
    expect(revokes).toHaveLength(1);
    expect(revokes[0]).toMatchObject({
      action: "revoke",
      objectName: "Carol → Sales Team",
      initiatorName: "Permission expiry",
      sourceRefType: "task",
    });
    const [g] = await getDb().execute<{ expiryTaskId: string }>(
      sql`select expiry_task_id::text as "expiryTaskId" from provisioning_tasks where id = ${grant}`,
    );
    expect(g.expiryTaskId).toBe(revokes[0].id);
    expect(await queueExpiredGrants(getDb())).toBe(0);
  });
});
