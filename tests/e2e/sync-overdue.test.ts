/**
 * A sync near its deadline, as an admin sees it: the maximum run time set in
 * the integration's form (refused out of range), and a run past 80 % of its
 * phase's deadline marked Overdue in Sync History and Pipeline Health, at a
 * desktop and a phone width, with nothing wider than the window.
 */
import fs from "node:fs";
import type { Browser, Page } from "playwright-core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, signIn } from "./browser";

let browser: Browser;
let sql: postgres.Sql;
const alpha = inject("tenantA");
const ldap = inject("ldap");
const SHOTS = process.env.E2E_SCREENSHOTS;

beforeAll(async () => {
  browser = await launch();
  sql = postgres(inject("e2eDatabaseUrl"), { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await browser?.close();
  await sql?.end();
});

async function atWidths(page: Page, name: string, check: () => Promise<void>) {
  for (const vp of [
    { width: 1280, height: 900 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(vp);
    await page.reload();
    await check();
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(scrollWidth, `${name} at ${vp.width} px`).toBeLessThanOrEqual(innerWidth);
    if (SHOTS) {
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}/${name}-${vp.width}.png`, fullPage: true });
    }
  }
}

describe("overdue syncs, end to end", () => {
  it("an admin sets an integration's maximum run time and sees a run near its deadline marked Overdue", async () => {
    const { context, page } = await signIn(browser, alpha.users.admin);
    await page.goto("/integrations/new");
    await page.getByLabel("Name").fill("Deadline Directory");
    await page.getByLabel("Connector").selectOption("ldap");
    await page.getByLabel("Server URL").fill(ldap.url);
    await page.getByLabel("Bind DN").fill(ldap.bindDn);
    await page.getByLabel("Bind password").fill(ldap.bindPassword);
    await page.getByRole("textbox", { name: /^Base DN/ }).fill(ldap.baseDn);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Mapping" }).waitFor();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Optional Configuration" }).waitFor();
    const maxRun = page.getByLabel("Maximum run time (minutes)");
    expect(await maxRun.inputValue()).toBe("120");
    // Out of range: the browser refuses it before anything is sent (the service's own check is in the integration tests).
    await maxRun.fill("2000");
    await page.getByRole("button", { name: "Save" }).click();
    expect(await maxRun.evaluate((el) => (el as HTMLInputElement).validity.rangeOverflow)).toBe(true);
    expect(page.url()).toMatch(/\/integrations\/new$/);
    await maxRun.fill("45");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}\/syncs/);
    const integrationId = /\/integrations\/([0-9a-f-]{36})\/syncs/.exec(page.url())![1];
    const history = page.getByRole("table", { name: "Sync history" });
    await history.getByText("Post-sync Completed").waitFor({ timeout: 30_000 });
    const [saved] = await sql`select max_run_seconds from integrations where id = ${integrationId}`;
    expect(saved.max_run_seconds).toBe(45 * 60);

    // A run 200 s into its applying phase's 240 s deadline, its worker alive but its statement stuck.
    const [run] = await sql`
      insert into sync_executions (tenant_id, integration_id, status, trigger, started_by_type, started_by_name, started_at,
                                   heartbeat_at, worker_id, attempts, phase, processed, total, phase_started_at, deadline_at, run_deadline_at)
      values (${alpha.id}, ${integrationId}, 'syncing', 'manual', 'user', ${alpha.users.admin}, now() - interval '6 minutes', now(),
              'e2e-host:1:stuck', 1, 'applying', 1200000, 1200000, now() - interval '200 seconds', now() + interval '40 seconds',
              now() + interval '39 minutes')
      returning id`;
    try {
      await page.goto(`/integrations/${integrationId}/syncs`);
      await atWidths(page, "sync-history-overdue", async () => {
        const shown = page.getByTestId("sync-overdue").filter({ visible: true }).first();
        await shown.getByText("Overdue", { exact: true }).waitFor();
        expect(await shown.textContent()).toMatch(/applying changes for 3 min( \d+ s)? of its 4 min; ends in \d+ s if still running/);
      });
      await page.goto("/pipeline-health");
      await atWidths(page, "pipeline-health-overdue", async () => {
        const shown = page.getByTestId("sync-overdue").filter({ visible: true }).first();
        await shown.getByText("Overdue", { exact: true }).waitFor();
        expect(await shown.textContent()).toMatch(/of its 4 min/);
      });
    } finally {
      await sql`update sync_executions set status = 'cancelled', ended_at = now() where id = ${run.id}`;
    }
    await context.close();
  });
});
