/**
 * The list pattern in the browser: every list fits the window at desktop and
 * phone widths (a table from `sm` up, stacked cards below it), the evidence
 * and audit-event panels open over their lists at addresses that can be
 * reloaded, and the Action filter follows the Entity Type.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { baseUrl, launch, signIn } from "./browser";

let browser: Browser;
const alpha = inject("tenantA");
const ldap = inject("ldap");
let integrationId = "";
let syncId = "";

async function createKey(scopes: string[]): Promise<string> {
  const { context, page } = await signIn(browser, alpha.users.admin);
  await page.goto("/admin/api-keys");
  await page.getByLabel("Name").fill("tables e2e");
  for (const s of scopes) await page.getByRole("checkbox", { name: s, exact: true }).check();
  await page.getByRole("button", { name: "Create API key" }).click();
  const secret = (await page.getByTestId("new-api-key").textContent())!;
  await context.close();
  return secret;
}

beforeAll(async () => {
  browser = await launch();
  // An integration whose one sync carries evidence, made through the API as automation would.
  const key = await createKey(["integrations:write", "evidence:write", "evidence:read", "syncs:read", "syncs:run"]);
  const auth = { authorization: `Bearer ${key}` };
  const created = await fetch(`${baseUrl()}/api/v1/integrations`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ name: "Tables Directory", connector: "ldap", config: ldap }),
  });
  expect(created.status).toBe(201);
  integrationId = (await created.json()).data.id;
  const form = new FormData();
  form.set("notes", "Reviewed for the tables test.");
  form.append("files", new Blob(['{"approved":true}']), "approval.json");
  const attached = await fetch(`${baseUrl()}/api/v1/integrations/${integrationId}/evidence`, { method: "POST", headers: auth, body: form });
  expect(attached.status).toBe(201);
  syncId = (await attached.json()).data.sync.id;
  for (let i = 0; i < 120; i++) {
    const sync = (await (await fetch(`${baseUrl()}/api/v1/syncs/${syncId}`, { headers: auth })).json()).data;
    if (!["queued", "syncing"].includes(sync.status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
});
afterAll(async () => {
  await browser?.close();
});

/** The visible tables whose content runs past their card, and by how many pixels. */
async function cutTables(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-slot="table-container"]')]
      .filter((c) => c.offsetParent !== null && c.scrollWidth > c.clientWidth)
      .map((c) => `${c.querySelector("table")?.getAttribute("aria-label")}: ${c.scrollWidth - c.clientWidth} px`),
  );
}

async function fitsWindow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
}

/** The shell hydrates with the page: its tenant switcher says when it is ready. */
async function hydrated(page: Page) {
  await page.locator('[data-slot="tenant-switcher"][data-ready]').first().waitFor({ state: "attached" });
}

const VIEWPORTS = [
  { width: 1280, height: 800, stacked: false },
  { width: 390, height: 844, stacked: true },
];

describe.each(VIEWPORTS)("lists at $width px", ({ width, height, stacked }) => {
  it("the Audit Log, Sync History, a Sync Log and the Integrations list fit the window, as a table or as stacked cards", async () => {
    for (const email of [alpha.users.admin, alpha.users.auditor, alpha.users.viewer]) {
      const { context, page } = await signIn(browser, email);
      await page.setViewportSize({ width, height });
      const lists = [
        { path: "/admin/audit-log", label: "Audit events", roles: [alpha.users.admin, alpha.users.auditor] },
        { path: `/integrations/${integrationId}/syncs`, label: "Sync history" },
        { path: `/syncs/${syncId}`, label: "Sync log" },
        { path: "/integrations", label: "Integrations" },
      ].filter((l) => !l.roles || l.roles.includes(email));
      for (const { path, label } of lists) {
        expect((await page.goto(path))?.status(), `${email} ${path}`).toBe(200);
        const table = page.locator(`table[aria-label="${label}"]`);
        const cards = page.locator(`ul[aria-label="${label}"] > li`);
        expect(await cards.count(), `${path} has rows`).toBeGreaterThan(0);
        expect(await table.isVisible(), `${path}: table at ${width}`).toBe(!stacked);
        expect(await cards.first().isVisible(), `${path}: cards at ${width}`).toBe(stacked);
        const { scrollWidth, innerWidth } = await fitsWindow(page);
        expect(scrollWidth, `${email} ${path} is ${scrollWidth} px wide in a ${innerWidth} px window`).toBeLessThanOrEqual(innerWidth);
        // Nothing cut at the card's edge either (the Evidence button, the last columns): at a desktop width every
        // table shows its columns whole, and what it leaves out is in the row's panel.
        if (!stacked) expect(await cutTables(page), `${email} ${path}`).toEqual([]);
      }
      await context.close();
    }
  });

  it("the admin's other lists (members, invitations, API keys, pipeline health) fit too", async () => {
    const { context, page } = await signIn(browser, alpha.users.admin);
    await page.setViewportSize({ width, height });
    for (const path of ["/admin/members", "/admin/api-keys", "/pipeline-health"]) {
      expect((await page.goto(path))?.status(), path).toBe(200);
      expect((await fitsWindow(page)).scrollWidth, path).toBeLessThanOrEqual(width);
      expect(await cutTables(page), path).toEqual([]);
    }
    await context.close();
  });

  it("the Evidence button opens the evidence in a panel over Sync History, whose address reloads to the panel", async () => {
    const { context, page } = await signIn(browser, alpha.users.auditor);
    await page.setViewportSize({ width, height });
    const history = `/integrations/${integrationId}/syncs`;
    await page.goto(history);
    await page
      .getByRole("link", { name: /^Evidence for sync/ })
      .first()
      .click();
    await page.waitForURL(`${baseUrl()}${history}?evidence=${syncId}`);
    const panel = page.getByRole("dialog", { name: "Audit Evidence" });
    await panel.getByText("Reviewed for the tables test.").waitFor();
    // Sync History is still there, under the panel.
    expect(await page.locator("h1", { hasText: "Tables Directory" }).count()).toBe(1);

    await page.reload();
    await panel.getByText("Reviewed for the tables test.").waitFor();
    expect(await panel.getByRole("link", { name: "Download approval.json" }).count()).toBe(1);
    expect((await fitsWindow(page)).scrollWidth).toBeLessThanOrEqual(width);

    await hydrated(page);
    await panel.getByRole("button", { name: "Close" }).click();
    await page.waitForURL(`${baseUrl()}${history}`);
    await panel.waitFor({ state: "detached" });
    await context.close();
  });

  it("an audit event's row opens its details in a panel, with request id, address and user agent", async () => {
    const { context, page } = await signIn(browser, alpha.users.auditor);
    await page.setViewportSize({ width, height });
    await page.goto("/admin/audit-log?entityType=Evidence&action=Create");
    const row = stacked
      ? page.locator('ul[aria-label="Audit events"] > li').filter({ hasText: "Tables Directory" }).first()
      : page.getByRole("table", { name: "Audit events" }).locator("tbody tr").filter({ hasText: "Tables Directory" }).first();
    await row.getByRole("link").first().click();
    await page.waitForURL(/[?&]event=[0-9a-f-]{36}$/);
    const panel = page.getByRole("dialog");
    for (const label of ["Request ID", "IP address", "User agent", "Entity ID", "Actor"]) {
      await panel.getByText(label, { exact: true }).waitFor();
    }
    expect(await panel.textContent()).toContain("tables e2e"); // the API key that attached the evidence
    await page.reload();
    await panel.getByText("Request ID", { exact: true }).waitFor();
    expect((await fitsWindow(page)).scrollWidth).toBeLessThanOrEqual(width);
    await context.close();
  });

  it("choosing an entity type limits the Action filter to its actions, and the server refuses a pair that never occurs", async () => {
    const { context, page } = await signIn(browser, alpha.users.auditor);
    await page.setViewportSize({ width, height });
    await page.goto("/admin/audit-log");
    await hydrated(page);
    const actions = () => page.locator("select#action option").allTextContents();
    expect(await actions()).toContain("Release");

    await page.getByLabel("Action").selectOption("Release");
    await page.getByLabel("Entity Type").selectOption("ApiKey");
    await expect.poll(actions).toEqual(["All Actions", "Create", "Revoke", "Delete"]);
    // The action that does not belong to the new type is dropped rather than sent.
    expect(await page.getByLabel("Action").inputValue()).toBe("");
    await page.getByLabel("Entity Type").selectOption("Member");
    await expect.poll(actions).toEqual(["All Actions", "Add", "ChangeRole", "Remove"]);
    await page.getByLabel("Action").selectOption("ChangeRole");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/entityType=Member&action=ChangeRole/);

    await page.goto("/admin/audit-log?entityType=ApiKey&action=Release");
    await page.getByText("Release is never recorded for API Key; choose one of Create, Revoke, Delete").waitFor();
    await context.close();
  });
});
