/**
 * Cancelling a running sync from the browser: a SCIM service provider that
 * answers slowly keeps the sync reading while an operator watches its
 * progress and cancels it, from Sync History and from the sync's own page.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startScimServer, type RunningScimServer } from "../helpers/scim-server";
import { launch, signIn } from "./browser";

const TOKEN = "e2e-scim-token-93b1";
let browser: Browser;
let scim: RunningScimServer;
const alpha = inject("tenantA");

beforeAll(async () => {
  browser = await launch();
  scim = await startScimServer({ token: TOKEN });
  for (let i = 0; i < 40; i++) scim.addUser({ userName: `member${i}@example.test`, displayName: `Member ${i}` });
});
afterAll(async () => {
  await browser?.close();
  await scim?.stop();
});

/** Starts a sync with "Sync now" and waits until Sync History shows it reading. */
async function startSlowSync(page: Page) {
  scim.setDelay(1_500);
  await page.getByRole("button", { name: "Sync now" }).click();
  const history = page.getByRole("table", { name: "Sync history" });
  const row = history.locator("tbody tr").first();
  await row.getByText("Syncing").waitFor({ timeout: 30_000 });
  return row;
}

describe("cancelling a sync, end to end", () => {
  it("an operator sees a running sync's phase and cancels it from Sync History and from its page; it ends Cancelled", async () => {
    const { context, page } = await signIn(browser, alpha.users.operator);
    await page.goto("/integrations/new");
    await page.getByLabel("Name").fill("Slow SCIM");
    await page.getByLabel("Connector").selectOption("scim");
    await page.getByLabel("SCIM base URL").fill(scim.baseUrl);
    await page.getByLabel("Bearer token").fill(TOKEN);
    await page.getByLabel("Page size").fill("5");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Mapping" }).waitFor();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}\/syncs/);
    const history = page.getByRole("table", { name: "Sync history" });
    await history.getByText("Post-sync Completed").waitFor({ timeout: 30_000 });

    // From Sync History: the running row shows what it does, and a Cancel button.
    const row = await startSlowSync(page);
    await row.getByText(/^(Connecting|Reading accounts)$/).waitFor();
    await row.getByRole("button", { name: /^Cancel sync/ }).click();
    // The app asks in its own dialog, not the browser's.
    await page.getByRole("dialog").getByRole("button", { name: "Cancel sync" }).click();
    await page.getByText(/Cancelling: the sync stops within seconds/).waitFor();
    await row.getByText("Cancelled", { exact: true }).waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain(`Cancelled by ${alpha.users.operator} while`);
    expect(await row.getByRole("button", { name: /^Cancel sync/ }).count()).toBe(0);

    // From the sync's page.
    const again = await startSlowSync(page);
    await again.getByRole("link").first().click();
    await page.waitForURL(/\/syncs\/[0-9a-f-]{36}$/);
    await page
      .getByText(/^(Connecting|Reading accounts)$/)
      .first()
      .waitFor();
    await page.getByRole("button", { name: "Cancel sync" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel sync" }).click();
    await page.getByText("Cancelled", { exact: true }).first().waitFor({ timeout: 15_000 });
    const details = (await page.locator("dl").textContent()) ?? "";
    expect(details).toContain(`Cancelled by${alpha.users.operator}`);
    expect(await page.getByRole("button", { name: "Cancel sync" }).count()).toBe(0);
    scim.setDelay(0);
    await context.close();

    // Both cancels are in the audit log.
    const admin = await signIn(browser, alpha.users.admin);
    await admin.page.goto("/admin/audit-log?entityType=SyncExecution&action=Cancel");
    const events = admin.page.getByRole("table", { name: "Audit events" }).locator("tbody tr");
    await events.first().waitFor();
    expect(await events.count()).toBe(2);
    expect(await events.first().textContent()).toContain("Slow SCIM sync");
    await admin.context.close();
  });
});
