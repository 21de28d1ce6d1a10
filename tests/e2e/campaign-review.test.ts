/**
 * Reviewing in the browser: a reviewer decides their items in bulk (a whole
 * filtered set, then a selection), changes one decision, and an admin
 * completes the campaign, after which the queue is read-only.
 */
import fs from "node:fs";
import postgres from "postgres";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { baseUrl, launch, signIn } from "./browser";

const SHOTS = "/tmp/camp-review";
let browser: Browser;
const alpha = inject("tenantA");
const ldap = inject("ldap");
let key = "";
let campaignId = "";
const auth = () => ({ authorization: `Bearer ${key}` });

async function createKey(scopes: string[]): Promise<string> {
  const { context, page } = await signIn(browser, alpha.users.admin);
  await page.goto("/admin/api-keys");
  await page.getByLabel("Name").fill("campaign review e2e");
  for (const s of scopes) await page.getByRole("checkbox", { name: s, exact: true }).check();
  await page.getByRole("button", { name: "Create API key" }).click();
  const secret = (await page.getByTestId("new-api-key").textContent())!;
  await context.close();
  return secret;
}

async function api(path: string, body?: unknown) {
  const res = await fetch(`${baseUrl()}/api/v1${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { ...auth(), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function items(): Promise<
  {
    id: number;
    objectType: string;
    accountName: string | null;
    decision: string | null;
    comment: string | null;
    reviewerName: string | null;
  }[]
> {
  return (await api(`/campaigns/${campaignId}/items?limit=500`)).json.data;
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launch();
  key = await createKey(["integrations:write", "syncs:read", "syncs:run", "campaigns:read", "campaigns:write"]);
  const created = await api("/integrations", { name: `Review Directory ${Date.now()}`, connector: "ldap", config: ldap });
  expect(created.status).toBe(201);
  const integrationId = created.json.data.id;
  const syncId = created.json.sync.id;
  for (let i = 0; i < 120; i++) {
    const sync = (await api(`/syncs/${syncId}`)).json.data;
    if (!["queued", "syncing", "completed"].includes(sync.status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const sql = postgres(inject("e2eDatabaseUrl"), { max: 1 });
  const [reviewer] = await sql`select id::text from users where email = ${alpha.users.reviewer}`;
  await sql.end();
  const campaign = await api("/campaigns", {
    name: "Quarterly directory review",
    dueDate: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
    reviewerMode: "members",
    reviewerIds: [reviewer.id],
    filter: { integrationIds: [integrationId], entityTypes: ["account", "membership"] },
  });
  expect(campaign.status, JSON.stringify(campaign.json)).toBe(201);
  campaignId = campaign.json.data.id;
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

async function decideInDialog(page: Page, decision: "Approve" | "Revoke", comment: string) {
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("textbox").fill(comment);
  await dialog.getByRole("button", { name: decision, exact: true }).click();
}

describe("the review queue", () => {
  it("a reviewer decides a filtered set and a selection, changes one, and sees their progress on the home page", async () => {
    const { context, page } = await signIn(browser, alpha.users.reviewer);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto("/");
    const myReviews = page.getByRole("list", { name: "My reviews" });
    await myReviews.getByRole("link", { name: "Quarterly directory review" }).click();
    await page.waitForURL(`**/campaigns/${campaignId}/review`);
    const all = await items();
    const memberships = all.filter((i) => i.objectType === "membership").length;
    const accounts = all.length - memberships;

    // The whole filtered set: every membership, past the first page too.
    await page.getByLabel("Object type").selectOption("membership");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/objectType=membership/);
    await page.getByRole("button", { name: `Revoke all ${memberships} matching` }).click();
    // A revoke without a comment is refused in the dialog, naming the field.
    await page.getByRole("dialog").getByRole("button", { name: "Revoke", exact: true }).click();
    await page.getByText("Comment is required to revoke").waitFor();
    await decideInDialog(page, "Revoke", "Group membership no longer needed");
    await page.getByRole("dialog").getByRole("button", { name: "Revoke all" }).click();
    await page.getByText(`Revoked ${memberships} items`).first().waitFor();
    await expect.poll(async () => (await items()).filter((i) => i.decision === "revoke").length).toBe(memberships);

    // A selection of two accounts.
    await page.goto(`/campaigns/${campaignId}/review?objectType=account`);
    const boxes = page.getByRole("checkbox", { name: /^Select (?!all on this page)/ });
    const first = (await boxes.nth(0).getAttribute("aria-label"))!.replace(/^Select /, "");
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByText("2 items selected").waitFor();
    await page.getByRole("button", { name: "Approve selected" }).click();
    await decideInDialog(page, "Approve", "Still in the team");
    await page.getByText("Approved 2 items").first().waitFor();

    // Change one decision: the first approved account is revoked after all.
    await page.getByRole("button", { name: `Revoke ${first}`, exact: true }).click();
    await decideInDialog(page, "Revoke", "Left last week");
    await page.getByText("Revoked 1 item").first().waitFor();
    await expect
      .poll(async () => (await items()).find((i) => i.objectType === "account" && i.accountName === first)?.decision)
      .toBe("revoke");
    await page.goto(`/campaigns/${campaignId}/review`);
    await page.getByText(`${memberships + 2} of ${all.length} decided by you`).waitFor();
    expect(
      await page.evaluate(
        () =>
          [...document.querySelectorAll<HTMLElement>('[data-slot="table-container"]')].filter(
            (c) => c.offsetParent && c.scrollWidth > c.clientWidth,
          ).length,
      ),
    ).toBe(0);
    await page.screenshot({ path: `${SHOTS}/review-reviewer-1280.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole("button", { name: "Approve selected" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}/review-reviewer-390.png` });
    await page.getByRole("list", { name: "Review items" }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/review-reviewer-390-list.png` });
    await page.goto("/");
    await page.getByText(`${accounts - 2} to review`).waitFor();
    await context.close();
  });

  it("an admin completes the campaign with undecided items recorded; the queue is then read-only", async () => {
    const { context, page } = await signIn(browser, alpha.users.admin);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`/campaigns/${campaignId}/review`);
    await page.getByLabel("Reviewer").waitFor();
    await page.screenshot({ path: `${SHOTS}/review-admin-1280.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.screenshot({ path: `${SHOTS}/review-admin-390.png` });
    await page.setViewportSize({ width: 1280, height: 900 });

    // The undecided items are handed to the admin: every one matching, past the first page too.
    const undecided = (await items()).filter((i) => i.decision === null).length;
    await page.goto(`/campaigns/${campaignId}/review?status=undecided`);
    await page.getByLabel("Reassign to").selectOption({ label: alpha.users.admin });
    await page.getByRole("button", { name: "Reassign", exact: true }).click();
    await page
      .getByRole("dialog")
      .getByRole("button", { name: `Reassign to ${alpha.users.admin}` })
      .click();
    await page.getByText(`Reassigned ${undecided} items to ${alpha.users.admin}`).first().waitFor();
    const after = await items();
    expect(after.filter((i) => i.decision === null).every((i) => i.reviewerName === alpha.users.admin)).toBe(true);
    expect(after.filter((i) => i.decision !== null).every((i) => i.reviewerName === alpha.users.reviewer)).toBe(true);

    await page.getByRole("button", { name: "Complete campaign" }).click();
    const dialog = page.getByRole("dialog");
    const complete = dialog.getByRole("button", { name: "Complete", exact: true });
    expect(await complete.isDisabled()).toBe(true);
    await dialog.getByRole("checkbox").check();
    await complete.click();
    await page.getByText("This campaign was completed").waitFor();
    await page.screenshot({ path: `${SHOTS}/review-admin-completed-1280.png`, fullPage: true });
    const campaign = (await api(`/campaigns/${campaignId}`)).json.data;
    expect(campaign.status).toBe("completed");
    expect(campaign.decisionsDigest).toMatch(/^[0-9a-f]{64}$/);
    await context.close();

    const reviewer = await signIn(browser, alpha.users.reviewer);
    await reviewer.page.goto(`/campaigns/${campaignId}/review`);
    await reviewer.page.getByText("its decisions are final and read-only").waitFor();
    expect(await reviewer.page.getByRole("button", { name: /Approve|Revoke/ }).count()).toBe(0);
    await reviewer.page.goto("/");
    await reviewer.page.getByText("No campaign is assigned to you.").waitFor();
    await reviewer.context.close();
  });
});
