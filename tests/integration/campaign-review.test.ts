/**
 * Reviewing a campaign: decisions one at a time, by a selection and for a
 * filtered set; who may decide what; the progress counters; reassignment; the
 * lifecycle; completion sealed into the ledger; the remediation seam; the API.
 */
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb } from "@/db/client";
import { cancelCampaign, completeCampaign, startCampaign } from "@/lib/campaigns/lifecycle";
import { decideItems, listItems, myActiveReviews, pendingRemediations, reassignItems } from "@/lib/campaigns/review";
import { createCampaign } from "@/lib/campaigns/service";
import { verifyLedger } from "@/lib/ledger/service";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { expectAuditRow, makeApiKeyCtx, makeCsvDirectory, makeTenant, type TestTenant, waitForSyncEnd } from "../helpers/factories";
import { GET as listRoute, POST as createRoute } from "@/app/api/v1/campaigns/route";
import { GET as getRoute } from "@/app/api/v1/campaigns/[id]/route";
import { GET as contextRoute } from "@/app/api/v1/campaigns/[id]/sync-context/route";
import { GET as itemsRoute } from "@/app/api/v1/campaigns/[id]/items/route";
import { POST as decideRoute } from "@/app/api/v1/campaigns/[id]/items/decisions/route";
import { POST as completeRoute } from "@/app/api/v1/campaigns/[id]/complete/route";

let worker: Worker;
let owner: postgres.Sql;
let t: TestTenant;
let hr: Awaited<ReturnType<typeof makeCsvDirectory>>;

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

// 40 accounts, each a member of one of two groups: 80 review items.
const N = 40;
const files = {
  accounts:
    "externalId,username,displayName,status,department\n" +
    Array.from({ length: N }, (_, i) => `u${i},user${i},User ${i},enabled,${i % 2 ? "Finance" : "Sales"}`).join("\n") +
    "\n",
  groups: "externalId,name\ng1,Payments Approvers\ng2,Sales Team\n",
  memberships: `groupExternalId,memberExternalId\n${Array.from({ length: N }, (_, i) => `g${(i % 2) + 1},u${i}`).join("\n")}\n`,
};

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  owner = postgres(inject("ownerDatabaseUrl"), { max: 2, onnotice: () => {} });
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.1, heartbeatSeconds: 1 });
  t = await makeTenant();
  hr = await makeCsvDirectory(t, "HR Directory", files);
  await waitForSyncEnd(t.id, hr.sync!.id);
}, 90_000);

afterAll(async () => {
  await worker?.stop();
  await owner?.end();
});

const campaignInput = (over: Record<string, unknown> = {}) => ({
  name: `Review ${Math.random().toString(36).slice(2, 8)}`,
  dueDate: tomorrow(),
  reviewerMode: "members" as const,
  reviewerIds: [t.users.reviewer.id, t.users.admin.id],
  filter: { integrationIds: [hr.integration.id], entityTypes: ["account", "membership"] },
  ...over,
});

async function newCampaign(over: Record<string, unknown> = {}) {
  const { id } = await createCampaign(t.ctx("admin"), campaignInput(over));
  return id;
}

async function itemsOf(campaignId: string) {
  return getDb().execute<{
    id: number;
    reviewerId: string | null;
    decision: string | null;
    comment: string | null;
    decidedByName: string | null;
    remediation: string | null;
  }>(sql`select id::int, reviewer_id::text as "reviewerId", decision, comment, decided_by_name as "decidedByName", remediation
           from campaign_items where campaign_id = ${campaignId} order by id`);
}

/** The counters as kept, and as a recount of the items gives them. */
async function countersAndRecount(campaignId: string) {
  const kept = await getDb().execute<{ k: string; total: number; approved: number; revoked: number }>(sql`
    select integration_id || '/' || reviewer_id as k, total::int, approved::int, revoked::int
      from campaign_progress where campaign_id = ${campaignId} order by 1`);
  const recount = await getDb().execute<{ k: string; total: number; approved: number; revoked: number }>(sql`
    select integration_id || '/' || coalesce(reviewer_id, '00000000-0000-0000-0000-000000000000') as k, count(*)::int as total,
           count(*) filter (where decision = 'approve')::int as approved, count(*) filter (where decision = 'revoke')::int as revoked
      from campaign_items where campaign_id = ${campaignId} group by 1 order by 1`);
  return { kept: [...kept], recount: [...recount] };
}

const mine = (items: Awaited<ReturnType<typeof itemsOf>>, userId: string) => items.filter((i) => i.reviewerId === userId);

describe("deciding review items", () => {
  it("records a single decision with who and when, and audits it by the account's name", async () => {
    const id = await newCampaign();
    const own = mine(await itemsOf(id), t.users.reviewer.id);
    const page = await listItems(t.ctx("reviewer"), id, { limit: 500 });
    const item = page.items.find((i) => i.id === own[0].id)!;
    const r = await decideItems(t.ctx("reviewer"), id, { itemIds: [item.id], decision: "approve", comment: "still needed" });
    expect(r).toMatchObject({ decided: 1, wasUndecided: 1, decision: "approve" });
    const after = (await listItems(t.ctx("reviewer"), id, { limit: 500 })).items.find((i) => i.id === item.id)!;
    expect(after).toMatchObject({ decision: "approve", comment: "still needed", decidedByName: t.users.reviewer.email, remediation: null });
    expect(Date.parse(after.decidedAt!)).toBeGreaterThan(Date.now() - 60_000);
    const label = item.targetName ? `${item.accountName} in ${item.targetName}` : item.accountName!;
    const audit = await expectAuditRow(t.id, "ReviewItem", "Decide", label);
    expect(audit.details).toContain("comment: still needed");
  });

  it("decides a selection by ids and a whole filtered set in one request, with one audit event each", async () => {
    const id = await newCampaign();
    const own = mine(await itemsOf(id), t.users.reviewer.id);
    const r1 = await decideItems(t.ctx("reviewer"), id, { itemIds: own.slice(0, 3).map((i) => i.id), decision: "approve" });
    expect(r1.decided).toBe(3);
    const memberships = (await listItems(t.ctx("reviewer"), id, { objectType: "membership", limit: 500 })).items;
    const r2 = await decideItems(t.ctx("reviewer"), id, {
      filter: { objectType: "membership", status: "undecided" },
      decision: "revoke",
      comment: "no longer in the team",
    });
    expect(r2.decided).toBe(memberships.filter((m) => m.decision === null).length);
    const after = mine(await itemsOf(id), t.users.reviewer.id);
    // The filtered set is the reviewer's own: the admin's items are untouched.
    expect(mine(await itemsOf(id), t.users.admin.id).every((i) => i.decision === null)).toBe(true);
    expect(
      after.filter((i) => i.decision === "revoke").every((i) => i.remediation === "pending" && i.comment === "no longer in the team"),
    ).toBe(true);
    const audits = await getDb().execute<{ details: string }>(
      sql`select details from audit_events where tenant_id = ${t.id} and entity_type = 'ReviewItem' and entity_id = ${id} order by occurred_at`,
    );
    expect(audits.map((a) => a.details)).toEqual([
      expect.stringMatching(/^Approved 3 review items .*\(a selection\)/),
      expect.stringMatching(new RegExp(`^Revoked ${r2.decided} review items .*\\(a filtered set\\)`)),
    ]);
  });

  it("refuses a revoke without a comment, naming the field", async () => {
    const id = await newCampaign();
    const own = mine(await itemsOf(id), t.users.reviewer.id);
    await expect(decideItems(t.ctx("reviewer"), id, { itemIds: [own[0].id], decision: "revoke", comment: " " })).rejects.toMatchObject({
      code: "unprocessable:validation",
      fieldErrors: { comment: [expect.stringContaining("is required to revoke")] },
    });
    expect((await itemsOf(id)).find((i) => i.id === own[0].id)!.decision).toBeNull();
  });

  it("answers not found for another reviewer's item or an unknown id, and changes nothing", async () => {
    const id = await newCampaign();
    const items = await itemsOf(id);
    const [theirs] = mine(items, t.users.admin.id);
    const [own] = mine(items, t.users.reviewer.id);
    for (const ids of [[theirs.id], [own.id, theirs.id], [own.id, 999_999_999]])
      await expect(decideItems(t.ctx("reviewer"), id, { itemIds: ids, decision: "approve" })).rejects.toMatchObject({
        code: "not_found:review_item",
        message: "No such review item in this campaign.",
      });
    // An admin decides only their own items too; reassigning is how they take others'.
    await expect(decideItems(t.ctx("admin"), id, { itemIds: [own.id], decision: "approve" })).rejects.toMatchObject({
      code: "not_found:review_item",
    });
    expect((await itemsOf(id)).every((i) => i.decision === null)).toBe(true);
  });

  it("refuses operators, viewers and auditors", async () => {
    const id = await newCampaign();
    const [item] = await itemsOf(id);
    for (const role of ["operator", "viewer", "auditor"] as const)
      await expect(decideItems(t.ctx(role), id, { itemIds: [item.id], decision: "approve" })).rejects.toMatchObject({
        code: expect.stringMatching(/^forbidden/),
      });
  });

  it("lets a decision change until completion, moving remediation and the counters with it", async () => {
    const id = await newCampaign();
    const own = mine(await itemsOf(id), t.users.reviewer.id).slice(0, 4);
    const ids = own.map((i) => i.id);
    await decideItems(t.ctx("reviewer"), id, { itemIds: ids, decision: "revoke", comment: "left" });
    await decideItems(t.ctx("reviewer"), id, { itemIds: ids.slice(0, 2), decision: "approve" });
    const r = await decideItems(t.ctx("reviewer"), id, { itemIds: ids.slice(1, 3), decision: "revoke", comment: "really left" });
    expect(r).toMatchObject({ decided: 2, wasUndecided: 0, changed: 1 });
    const after = (await itemsOf(id)).filter((i) => ids.includes(i.id));
    expect(after.map((i) => [i.decision, i.remediation])).toEqual([
      ["approve", null],
      ["revoke", "pending"],
      ["revoke", "pending"],
      ["revoke", "pending"],
    ]);
    const { kept, recount } = await countersAndRecount(id);
    expect(kept).toEqual(recount);
  });

  it("keeps the progress counters equal to a recount after mixed decisions and reassignments", async () => {
    const id = await newCampaign();
    const items = await itemsOf(id);
    await decideItems(t.ctx("reviewer"), id, { filter: { objectType: "account" }, decision: "approve" });
    await decideItems(t.ctx("admin"), id, { filter: { q: "user1" }, decision: "revoke", comment: "gone" });
    await reassignItems(t.ctx("auditor"), id, {
      itemIds: mine(items, t.users.reviewer.id)
        .slice(0, 5)
        .map((i) => i.id),
      reviewerId: t.users.admin.id,
    });
    await decideItems(t.ctx("admin"), id, { filter: { status: "undecided" }, decision: "approve" });
    await reassignItems(t.ctx("admin"), id, { filter: { status: "revoke" }, reviewerId: t.users.reviewer.id });
    await decideItems(t.ctx("reviewer"), id, { filter: { status: "revoke" }, decision: "approve" });
    const { kept, recount } = await countersAndRecount(id);
    expect(kept).toEqual(recount);
    expect(kept.reduce((n, k) => n + k.total, 0)).toBe(items.length);
  });
});

describe("reassigning", () => {
  it("moves items to another member who can review, audited; reviewers cannot reassign", async () => {
    const id = await newCampaign();
    const theirs = mine(await itemsOf(id), t.users.reviewer.id);
    const r = await reassignItems(t.ctx("admin"), id, { itemIds: theirs.map((i) => i.id), reviewerId: t.users.admin.id });
    expect(r).toEqual({ moved: theirs.length, reviewer: t.users.admin.email });
    expect(mine(await itemsOf(id), t.users.reviewer.id)).toHaveLength(0);
    await expectAuditRow(t.id, "ReviewItem", "Reassign");
    // The reviewer no longer has anything in it, so no longer sees it.
    await expect(listItems(t.ctx("reviewer"), id)).rejects.toMatchObject({ code: "not_found:campaign" });
    await expect(reassignItems(t.ctx("reviewer"), id, { itemIds: [theirs[0].id], reviewerId: t.users.reviewer.id })).rejects.toMatchObject({
      code: expect.stringMatching(/^forbidden/),
    });
    await expect(reassignItems(t.ctx("admin"), id, { itemIds: [theirs[0].id], reviewerId: t.users.operator.id })).rejects.toMatchObject({
      fieldErrors: { reviewerId: [expect.stringContaining("not a member who can review")] },
    });
    const { kept, recount } = await countersAndRecount(id);
    expect(kept).toEqual(recount);
  });
});

describe("the campaign lifecycle", () => {
  it("a draft is started before anyone decides, can be reassigned, and is cancelled with a reason", async () => {
    const id = await newCampaign({ start: false });
    const [item] = mine(await itemsOf(id), t.users.admin.id);
    await expect(decideItems(t.ctx("admin"), id, { itemIds: [item.id], decision: "approve" })).rejects.toThrow(/start the campaign first/);
    await reassignItems(t.ctx("admin"), id, { itemIds: [item.id], reviewerId: t.users.reviewer.id });
    await startCampaign(t.ctx("auditor"), id);
    await expectAuditRow(t.id, "Campaign", "Start");
    await decideItems(t.ctx("reviewer"), id, { itemIds: [item.id], decision: "approve" });
    await expect(startCampaign(t.ctx("admin"), id)).rejects.toMatchObject({ code: "conflict:campaign_active" });
    await expect(cancelCampaign(t.ctx("admin"), id, { reason: "" })).rejects.toMatchObject({ fieldErrors: { reason: expect.anything() } });
    await expect(cancelCampaign(t.ctx("reviewer"), id, { reason: "x" })).rejects.toMatchObject({
      code: expect.stringMatching(/^forbidden/),
    });
    await cancelCampaign(t.ctx("admin"), id, { reason: "scope was wrong" });
    expect((await expectAuditRow(t.id, "Campaign", "Cancel")).details).toContain("scope was wrong");
    await expect(decideItems(t.ctx("reviewer"), id, { itemIds: [item.id], decision: "revoke", comment: "x" })).rejects.toMatchObject({
      code: "conflict:campaign_cancelled",
      message: expect.stringContaining("was cancelled"),
    });
    await expect(completeCampaign(t.ctx("admin"), id)).rejects.toMatchObject({ code: "conflict:campaign_cancelled" });
  });

  it("completing refuses undecided items unless forced, then is read-only in the service and the database", async () => {
    const id = await newCampaign();
    await decideItems(t.ctx("reviewer"), id, { filter: {}, decision: "approve" });
    await expect(completeCampaign(t.ctx("auditor"), id)).rejects.toThrow(/still has \d+ undecided items/);
    const undecided = mine(await itemsOf(id), t.users.admin.id).length;
    const done = await completeCampaign(t.ctx("auditor"), id, { force: true });
    expect(done.totals.undecided).toBe(undecided);
    expect(done.message).toContain(`${undecided} items left undecided`);
    expect((await expectAuditRow(t.id, "Campaign", "Complete")).details).toContain("left undecided");
    const [row] = await getDb().execute<{ status: string; digest: string }>(
      sql`select status, decisions_digest as digest from campaigns where id = ${id}`,
    );
    expect(row).toEqual({ status: "completed", digest: done.decisionsDigest });
    const [item] = mine(await itemsOf(id), t.users.reviewer.id);
    await expect(decideItems(t.ctx("reviewer"), id, { itemIds: [item.id], decision: "revoke", comment: "late" })).rejects.toMatchObject({
      code: "conflict:campaign_completed",
    });
    await expect(reassignItems(t.ctx("admin"), id, { itemIds: [item.id], reviewerId: t.users.admin.id })).rejects.toMatchObject({
      code: "conflict:campaign_completed",
    });
    for (const edit of [sql`decision = 'revoke'`, sql`decided_by_name = 'x'`, sql`reviewer_id = ${t.users.admin.id}`]) {
      const refused = await getDb()
        .execute(sql`update campaign_items set ${edit} where id = ${item.id}`)
        .then(
          () => null,
          (e: { cause?: Error }) => e.cause,
        );
      expect(String(refused?.message)).toMatch(/is completed: its (decisions cannot change|items cannot be reassigned)/);
    }
    await expect(cancelCampaign(t.ctx("admin"), id, { reason: "x" })).rejects.toMatchObject({ code: "conflict:campaign_completed" });
  });

  it("seals the decisions into the ledger; a decision edited afterwards is caught by verification", async () => {
    const own = await makeTenant();
    const dir = await makeCsvDirectory(own, "Ledger HR", files);
    await waitForSyncEnd(own.id, dir.sync!.id);
    const { id } = await createCampaign(own.ctx("admin"), {
      ...campaignInput({ reviewerIds: [own.users.reviewer.id] }),
      filter: { integrationIds: [dir.integration.id], entityTypes: ["account"] },
    });
    await decideItems(own.ctx("reviewer"), id, { filter: { q: "user1" }, decision: "revoke", comment: "left" });
    await decideItems(own.ctx("reviewer"), id, { filter: { status: "undecided" }, decision: "approve" });
    await completeCampaign(own.ctx("admin"), id);
    const ok = await verifyLedger(own.ctx("auditor"));
    expect(ok.problems).toEqual([]);
    const [entry] = await getDb().execute<{ record: string }>(
      sql`select record from ledger_entries where tenant_id = ${own.id} and kind = 'campaign_completion' and ref_id = ${id}`,
    );
    expect(JSON.parse(entry.record)).toMatchObject({ campaignId: id, totals: { revoked: 11, approved: N - 11, undecided: 0 } });

    await owner.begin(async (tx) => {
      await tx.unsafe("alter table campaign_items disable trigger user");
      await tx`update campaign_items set decision = 'approve', remediation = null
                where campaign_id = ${id} and id = (select min(id) from campaign_items where campaign_id = ${id} and decision = 'revoke')`;
      await tx.unsafe("alter table campaign_items enable trigger user");
    });
    const bad = await verifyLedger(own.ctx("auditor"));
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => p.reason)).toContainEqual(
      expect.stringMatching(/completed campaign's decisions .* was changed after it was recorded/),
    );
  });

  it("lists completed campaigns' revokes as pending remediation, tenant-wide", async () => {
    const id = await newCampaign();
    await decideItems(t.ctx("reviewer"), id, { filter: { objectType: "membership" }, decision: "revoke", comment: "remove" });
    const before = await pendingRemediations(t.ctx("operator"), { limit: 1000 });
    expect(before.items.some((i) => i.campaignId === id)).toBe(false);
    await completeCampaign(t.ctx("admin"), id, { force: true });
    const revoked = (await itemsOf(id)).filter((i) => i.decision === "revoke");
    const after = await pendingRemediations(t.ctx("auditor"), { limit: 1000 });
    const listed = after.items.filter((i) => i.campaignId === id);
    expect(listed.map((i) => i.id)).toEqual(revoked.map((i) => i.id));
    expect(listed[0]).toMatchObject({ comment: "remove", decidedByName: t.users.reviewer.email, objectType: "membership" });
    const first = await pendingRemediations(t.ctx("admin"), { limit: 1 });
    expect(first.next).not.toBeNull();
    expect((await pendingRemediations(t.ctx("admin"), { after: first.next!, limit: 1 })).items[0].id).toBeGreaterThan(first.items[0].id);
    await expect(pendingRemediations(t.ctx("viewer"))).rejects.toMatchObject({ code: expect.stringMatching(/^forbidden/) });
  });

  it("lists a reviewer's active campaigns with what remains for them", async () => {
    const id = await newCampaign();
    await decideItems(t.ctx("reviewer"), id, { filter: { objectType: "account" }, decision: "approve" });
    const reviews = await myActiveReviews(t.ctx("reviewer"));
    const row = reviews.find((r) => r.id === id)!;
    const own = mine(await itemsOf(id), t.users.reviewer.id);
    expect(row).toMatchObject({ total: own.length, remaining: own.filter((i) => i.decision === null).length });
  });
});

describe("the API", () => {
  const call = (secret: string, url: string, body?: unknown) =>
    new Request(`http://localhost/api/v1/campaigns${url}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${secret}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const params = (id: string) => ({ params: Promise.resolve({ id }) });

  it("creates, lists, reads, decides any item with campaigns:decide, and completes", async () => {
    const { secret } = await makeApiKeyCtx(t, ["campaigns:read", "campaigns:write", "campaigns:decide"]);
    const { secret: readOnly, apiKey } = await makeApiKeyCtx(t, ["campaigns:read"]);
    const created = await createRoute(call(secret, "", campaignInput({ name: "API review" })), params(""));
    expect(created.status).toBe(201);
    const { data } = await created.json();
    const list = await (await listRoute(call(secret, "?limit=100"), params(""))).json();
    expect(list.data.map((c: { id: string }) => c.id)).toContain(data.id);
    const one = await (await getRoute(call(readOnly, `/${data.id}`), params(data.id))).json();
    expect(one.data).toMatchObject({ id: data.id, name: "API review", status: "active" });
    const context = await (await contextRoute(call(readOnly, `/${data.id}/sync-context`), params(data.id))).json();
    expect(context.data.cards[0]).toMatchObject({ integrationName: "HR Directory", hasLogo: false });
    expect(context.data.cards[0]).not.toHaveProperty("logo");
    const page = await (await itemsRoute(call(readOnly, `/${data.id}/items?objectType=account&limit=5`), params(data.id))).json();
    expect(page.data).toHaveLength(5);
    const next = await (
      await itemsRoute(call(readOnly, `/${data.id}/items?objectType=account&limit=5&cursor=${page.nextCursor}`), params(data.id))
    ).json();
    expect(next.data[0].id).toBeGreaterThan(page.data[4].id);

    // A key with only campaigns:read cannot decide.
    expect((await decideRoute(call(readOnly, "/x", { itemIds: [page.data[0].id], decision: "approve" }), params(data.id))).status).toBe(
      403,
    );
    const refused = await decideRoute(call(secret, "/x", { itemIds: [page.data[0].id], decision: "revoke" }), params(data.id));
    expect(refused.status).toBe(422);
    expect((await refused.json()).error.fieldErrors.comment).toBeDefined();
    // Items of both reviewers, decided by the key in one request.
    const decided = await decideRoute(call(secret, "/x", { filter: {}, decision: "approve", comment: "bulk via API" }), params(data.id));
    expect((await decided.json()).data).toMatchObject({ decided: 2 * N, wasUndecided: 2 * N });
    const items = await itemsOf(data.id);
    expect(new Set(items.map((i) => i.decidedByName))).toEqual(new Set([expect.stringMatching(/^key-/)]));
    const done = await completeRoute(call(secret, `/${data.id}/complete`, {}), params(data.id));
    expect((await done.json()).data).toMatchObject({ status: "completed", totals: { approved: 2 * N, revoked: 0, undecided: 0 } });
    const again = await decideRoute(call(secret, "/x", { filter: {}, decision: "approve" }), params(data.id));
    expect(again.status).toBe(409);
    void apiKey;
  });

  it("is described in the OpenAPI document", async () => {
    const { GET } = await import("@/app/api/v1/openapi.json/route");
    const doc = await GET().json();
    for (const path of [
      "/campaigns",
      "/campaigns/{id}",
      "/campaigns/{id}/sync-context",
      "/campaigns/{id}/items",
      "/campaigns/{id}/items/decisions",
    ])
      expect(doc.paths[path], path).toBeDefined();
    expect(doc.components.schemas.DecideItems.properties).toHaveProperty("comment");
  });
});
