/**
 * Creating a campaign: the preview, the frozen Sync Context, the copied review
 * items, and that nothing done afterwards to the integration, its syncs, its
 * evidence or its logo changes what the campaign shows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { createCampaign, getCampaign, getSyncContext, getSyncContextLogo, listCampaigns, previewCampaign } from "@/lib/campaigns/service";
import { requestSync } from "@/lib/syncs/service";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { expectAuditRow, makeCsvDirectory, makeTenant, type TestTenant, waitForSyncEnd } from "../helpers/factories";

let worker: Worker;
let t: TestTenant;
let other: TestTenant;
let hr: Awaited<ReturnType<typeof makeCsvDirectory>>;
let crm: Awaited<ReturnType<typeof makeCsvDirectory>>;
let otherIntegration: string;

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

const hrFiles = {
  accounts:
    "externalId,username,displayName,status,department\n" +
    "u1,alice,Alice Adams,enabled,Finance\n" +
    "u2,bob,Bob Brown,disabled,Finance\n" +
    "u3,carol,Carol Clark,enabled,Sales\n" +
    "u4,dave,Dave Dunn,enabled,finance\n",
  groups: "externalId,name\ng1,Payments Approvers\ng2,Sales Team\n",
  memberships: "groupExternalId,memberExternalId\ng1,u1\ng1,u2\ng2,u3\ng1,u4\n",
};

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.1, heartbeatSeconds: 1 });
  [t, other] = await Promise.all([makeTenant(), makeTenant()]);
  hr = await makeCsvDirectory(t, "HR Directory", hrFiles);
  await waitForSyncEnd(t.id, hr.sync!.id);
  crm = await makeCsvDirectory(t, "CRM", { accounts: "externalId,username,displayName,status\nc1,zoe,Zoe Zimmer,enabled\n" });
  await waitForSyncEnd(t.id, crm.sync!.id);
  const o = await makeCsvDirectory(other, "Other", { accounts: "externalId,username\nx1,x\n" });
  await waitForSyncEnd(other.id, o.sync!.id);
  otherIntegration = o.integration.id;
}, 90_000);

afterAll(async () => {
  await worker?.stop();
});

const baseInput = () => ({
  name: "Q4 Finance review",
  description: "Quarterly review of finance access",
  dueDate: tomorrow(),
  reviewerMode: "members" as const,
  reviewerIds: [t.users.reviewer.id],
  filter: {
    integrationIds: [hr.integration.id, crm.integration.id],
    entityTypes: ["account", "membership"] as ("account" | "membership")[],
    groups: [] as string[],
    conditions: [] as { field: string; operator: "equals"; value: string }[],
  },
});

describe("campaign preview and creation", () => {
  it("previews the items each integration contributes, with the filter's groups and conditions applied", async () => {
    const preview = await previewCampaign(t.ctx("auditor"), {
      filter: {
        integrationIds: [hr.integration.id, crm.integration.id],
        entityTypes: ["account", "membership"],
        groups: ["g1"],
        conditions: [
          { field: "status", operator: "equals", value: "active" },
          { field: "department", operator: "equals", value: "FINANCE" },
        ],
      },
    });
    const hrRow = preview.integrations.find((i) => i.integrationId === hr.integration.id)!;
    // alice and dave: active, in Finance (case-insensitive), members of g1; bob is disabled.
    expect(hrRow.counts).toEqual({ account: 2, membership: 2 });
    expect(preview.integrations.find((i) => i.integrationId === crm.integration.id)!.total).toBe(0);
    expect(preview.problems).toEqual([]);
  });

  it("creates a campaign with a frozen Sync Context and copied items, audited and queued for the ledger", async () => {
    const { id, itemCount } = await createCampaign(t.ctx("auditor"), baseInput());
    // 4 + 1 accounts and 4 memberships.
    expect(itemCount).toBe(9);
    const { campaign, progress } = await getCampaign(t.ctx("admin"), id);
    expect(campaign.status).toBe("active");
    expect(campaign.snapshotHash).toMatch(/^[0-9a-f]{64}$/);
    expect(progress.reduce((n, p) => n + p.total, 0)).toBe(9);
    const context = await getSyncContext(t.ctx("auditor"), id);
    expect(context.cards.map((c) => c.integrationName)).toEqual(["HR Directory", "CRM"]);
    expect(context.cards[0].syncExecutionId).toBe(hr.sync!.id);
    expect(context.cards[0].syncedSince).toBeNull();
    await expectAuditRow(t.id, "Campaign", "Create", "Q4 Finance review");
    const [queued] = await getDb().execute<{ n: number }>(
      sql`select count(*)::int as n from (select ref_id from ledger_queue where ref_id = ${id} union all select ref_id from ledger_entries where ref_id = ${id}) x`,
    );
    expect(queued.n).toBe(1);
    const membership = await getDb().execute<{ accountName: string; targetName: string; syncExecutionId: string }>(
      sql`select account_name as "accountName", target_name as "targetName", sync_execution_id::text as "syncExecutionId"
            from campaign_items where campaign_id = ${id} and object_type = 'membership' and account_external_id = 'u1'`,
    );
    expect(membership).toEqual([{ accountName: "alice", targetName: "Payments Approvers", syncExecutionId: hr.sync!.id }]);
  });

  it("refuses an integration with no completed sync, naming it, and leaves nothing behind", async () => {
    const fresh = await makeCsvDirectory(t, "Never Synced", { accounts: "externalId,username\nn1,n\n" });
    // The first sync was queued with the integration; cancel the wait by checking before it runs is racy, so read the preview of a filter that names it while it may still be queued.
    const before = await listCampaigns(t.ctx("admin"));
    const input = { ...baseInput(), filter: { ...baseInput().filter, integrationIds: [fresh.integration.id] } };
    const preview = await previewCampaign(t.ctx("admin"), { filter: input.filter });
    if (preview.integrations[0].sync === null) {
      expect(preview.problems[0]).toContain('"Never Synced" has no completed sync yet');
      await expect(createCampaign(t.ctx("admin"), input)).rejects.toThrow(/"Never Synced" has no completed sync yet/);
      expect((await listCampaigns(t.ctx("admin"))).campaigns.length).toBe(before.campaigns.length);
    }
    await waitForSyncEnd(t.id, fresh.sync!.id);
  });

  it("refuses bad input with messages naming the field", async () => {
    await expect(createCampaign(t.ctx("admin"), { ...baseInput(), dueDate: "2020-01-01" })).rejects.toThrow(
      /Due date must not be in the past/,
    );
    await expect(
      createCampaign(t.ctx("admin"), { ...baseInput(), filter: { ...baseInput().filter, integrationIds: [otherIntegration] } }),
    ).rejects.toThrow(/is not an integration of this tenant/);
    await expect(
      createCampaign(t.ctx("admin"), {
        ...baseInput(),
        filter: { ...baseInput().filter, conditions: [{ field: "status", operator: "equals", value: "nobody" }] },
      }),
    ).rejects.toThrow(/selects no review items/);
    await expect(createCampaign(t.ctx("admin"), { ...baseInput(), reviewerIds: [t.users.operator.id] })).rejects.toThrow(
      /not a member who can review/,
    );
    await expect(createCampaign(t.ctx("operator"), baseInput())).rejects.toMatchObject({ code: expect.stringMatching(/^forbidden/) });
  });

  it("shows a reviewer only campaigns with items assigned to them", async () => {
    const mine = await createCampaign(t.ctx("admin"), baseInput());
    const notMine = await createCampaign(t.ctx("admin"), { ...baseInput(), name: "Admins only", reviewerIds: [t.users.admin.id] });
    const seen = (await listCampaigns(t.ctx("reviewer"))).campaigns.map((c) => c.id);
    expect(seen).toContain(mine.id);
    expect(seen).not.toContain(notMine.id);
    await expect(getCampaign(t.ctx("reviewer"), notMine.id)).rejects.toMatchObject({ code: "not_found:campaign" });
    await expect(getCampaign(other.ctx("admin"), mine.id)).rejects.toMatchObject({ code: "not_found:campaign" });
  });
});

describe("listing review items", () => {
  it("gives a reviewer only their own items, whatever reviewer they ask for, and filters by status and text", async () => {
    const { id } = await createCampaign(t.ctx("admin"), { ...baseInput(), reviewerIds: [t.users.reviewer.id, t.users.admin.id] });
    const { listItems } = await import("@/lib/campaigns/review");
    const all = await listItems(t.ctx("admin"), id, { limit: 500 });
    expect(all.items).toHaveLength(9);
    // An account's items stay with one reviewer.
    const byAccount = new Map<string, Set<string | null>>();
    for (const i of all.items)
      byAccount.set(
        `${i.integrationId}/${i.accountExternalId}`,
        (byAccount.get(`${i.integrationId}/${i.accountExternalId}`) ?? new Set()).add(i.reviewerId),
      );
    for (const reviewers of byAccount.values()) expect(reviewers.size).toBe(1);
    const mine = await listItems(t.ctx("reviewer"), id, { reviewerId: t.users.admin.id, limit: 500 });
    expect(mine.items.every((i) => i.reviewerId === t.users.reviewer.id)).toBe(true);
    expect(mine.items.length).toBe(all.items.filter((i) => i.reviewerId === t.users.reviewer.id).length);
    const alice = await listItems(t.ctx("admin"), id, { q: "alice" });
    expect(alice.items.map((i) => i.objectType).sort()).toEqual(["account", "membership"]);
    const page = await listItems(t.ctx("admin"), id, { limit: 4 });
    expect(page.items).toHaveLength(4);
    const second = await listItems(t.ctx("admin"), id, { limit: 4, after: page.next! });
    expect(second.items[0].id).toBeGreaterThan(page.items[3].id);
    expect((await listItems(t.ctx("admin"), id, { status: "undecided", limit: 500 })).items).toHaveLength(9);
  });
});

describe("the Sync Context never changes", () => {
  it("survives a later sync, a rename and new data, and reports the differences", async () => {
    const { id } = await createCampaign(t.ctx("admin"), baseInput());
    const before = await getSyncContext(t.ctx("admin"), id);
    await crm.put({ accounts: "externalId,username,displayName,status\nc1,zoe,Zoe Zimmer,enabled\nc2,yan,Yan Y,enabled\n" });
    const next = await requestSync(t.ctx("operator"), crm.integration.id, {});
    await waitForSyncEnd(t.id, next.sync.id);
    const { updateIntegration } = await import("@/lib/integrations/service");
    const current = (await import("@/lib/integrations/service")).getIntegration;
    const view = await current(t.ctx("admin"), crm.integration.id);
    await updateIntegration(t.ctx("admin"), crm.integration.id, { ...view, name: "CRM renamed", secrets: undefined });
    const after = await getSyncContext(t.ctx("admin"), id);
    const card = after.cards.find((c) => c.integrationId === crm.integration.id)!;
    expect(card.integrationName).toBe("CRM");
    expect(card.syncExecutionId).toBe(before.cards[1].syncExecutionId);
    expect(card.syncedSince?.id).toBe(next.sync.id);
    expect(card.countChanges.find((c) => c.type === "account")).toEqual({ type: "account", atCreation: 1, latest: 2, change: 1 });
    const items = await getDb().execute<{ n: number }>(
      sql`select count(*)::int as n from campaign_items where campaign_id = ${id} and integration_id = ${crm.integration.id}`,
    );
    expect(items[0].n).toBe(1);
  });

  it("is sealed into the ledger, and the ledger verifies against the live rows", async () => {
    const { verifyLedger } = await import("@/lib/ledger/service");
    await createCampaign(t.ctx("admin"), baseInput());
    const result = await verifyLedger(t.ctx("auditor"));
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("survives new evidence, a new logo and the integration's deletion", async () => {
    const { Readable } = await import("node:stream");
    const { receiveUpload } = await import("@/lib/uploads/service");
    const { addEvidence } = await import("@/lib/evidence/service");
    const { deleteIntegration, updateIntegration } = await import("@/lib/integrations/service");
    const { pngImage } = await import("../helpers/images");
    const upload = (purpose: "evidence" | "logo", filename: string, bytes: Buffer) =>
      receiveUpload(t.ctx("admin"), { purpose, filename, contentLength: bytes.length, body: Readable.from([bytes]) });

    const erp = await makeCsvDirectory(t, "ERP", { accounts: "externalId,username\ne1,erin\n" });
    await waitForSyncEnd(t.id, erp.sync!.id);
    const blue = await upload("logo", "erp.png", pngImage(16, [0, 0, 255]));
    await updateIntegration(t.ctx("admin"), erp.integration.id, { logoUploadId: blue.id });
    const csv = Buffer.from("user,decision\nerin,keep\n");
    const file = await upload("evidence", "signoff.csv", csv);
    const first = await addEvidence(t.ctx("admin"), erp.integration.id, { notes: "Signed off by **Dana**", uploadIds: [file.id] });
    await waitForSyncEnd(t.id, first.sync.id);

    const { id } = await createCampaign(t.ctx("admin"), {
      ...baseInput(),
      filter: { ...baseInput().filter, integrationIds: [erp.integration.id] },
    });
    const before = await getSyncContext(t.ctx("auditor"), id);
    const card = before.cards[0];
    expect(card.evidenceNotesHtml).toContain("<strong>Dana</strong>");
    expect(card.evidenceFiles.map((f) => [f.name, f.size, f.inStorage])).toEqual([["signoff.csv", csv.length, true]]);
    const logoBefore = await getSyncContextLogo(t.ctx("auditor"), id, 0);
    expect(logoBefore.bytes.equals(pngImage(16, [0, 0, 255]))).toBe(true);

    const more = await upload("evidence", "later.csv", Buffer.from("user,decision\nerin,revoke\n"));
    const second = await addEvidence(t.ctx("admin"), erp.integration.id, { notes: "Changed our mind", uploadIds: [more.id] });
    await waitForSyncEnd(t.id, second.sync.id);
    const red = await upload("logo", "erp2.png", pngImage(16, [255, 0, 0]));
    await updateIntegration(t.ctx("admin"), erp.integration.id, { logoUploadId: red.id });
    await deleteIntegration(t.ctx("admin"), erp.integration.id);

    const after = await getSyncContext(t.ctx("auditor"), id);
    const { syncedSince, countChanges, ...frozen } = after.cards[0];
    const { syncedSince: _s, countChanges: _c, ...frozenBefore } = card;
    expect(frozen).toEqual(frozenBefore);
    expect(syncedSince?.id).toBe(second.sync.id);
    expect((await getSyncContextLogo(t.ctx("auditor"), id, 0)).bytes.equals(logoBefore.bytes)).toBe(true);
    const { verifyLedger } = await import("@/lib/ledger/service");
    expect((await verifyLedger(t.ctx("auditor"))).problems).toEqual([]);
  });

  it("refuses any change to the captured rows at the database", async () => {
    const { id } = await createCampaign(t.ctx("admin"), baseInput());
    await expect(
      getDb().execute(sql`update campaign_sync_contexts set integration_name = 'x' where campaign_id = ${id}`),
    ).rejects.toThrow();
    await expect(getDb().execute(sql`update campaign_items set account_name = 'x' where campaign_id = ${id}`)).rejects.toThrow();
    await expect(getDb().execute(sql`update campaigns set filter = '{}' where id = ${id}`)).rejects.toThrow();
    await expect(getDb().execute(sql`delete from campaign_items where campaign_id = ${id}`)).rejects.toThrow();
  });
});
