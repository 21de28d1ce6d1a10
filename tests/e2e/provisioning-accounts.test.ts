/**
 * Provisioning from the browser: an admin switches provisioning on for a CSV
 * application (manual fulfilment), finds an account, disables it and sees the
 * task queued; uploads a batch and watches its page; an auditor reads the
 * settings without changing them; a viewer is refused. With ACCOUNT_SHOTS=<dir>
 * it also saves screenshots of the pages at a desktop and a phone width.
 */
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cookieHeader, launch, baseUrl, signIn } from "./browser";

let browser: Browser;
const alpha = inject("tenantA");
let sql: postgres.Sql;
let integrationId = "";
let batchPath = "";
const shots = process.env.ACCOUNT_SHOTS;

const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

beforeAll(async () => {
  process.env.DATABASE_URL ??= inject("e2eDatabaseUrl");
  sql = postgres(inject("e2eDatabaseUrl"), { max: 1, onnotice: () => {} });
  const { userContext } = await import("@/lib/auth/context");
  const { createIntegration } = await import("@/lib/integrations/service");
  const { tenantUploadPrefix } = await import("@/lib/uploads/service");
  const { getObjectStore } = await import("@/lib/storage");
  const [admin] = await sql<{ id: string }[]>`select id::text from users where email = ${alpha.users.admin}`;
  const ctx = userContext({ tenantId: alpha.id, role: "admin", user: { id: admin.id, email: alpha.users.admin }, request: {} });
  const prefix = tenantUploadPrefix(alpha.id);
  const files = {
    accounts: `${prefix}prov-e2e-accounts.csv`,
    groups: `${prefix}prov-e2e-groups.csv`,
    memberships: `${prefix}prov-e2e-memberships.csv`,
  };
  await getObjectStore().put(
    files.accounts,
    "externalId,username,email,displayName,status,department\n" +
      "p1,pat.adams,pat@example.com,Pat Adams,enabled,Finance\n" +
      "p2,quinn.baker,quinn@example.com,Quinn Baker,enabled,Sales\n" +
      "p3,robin.clark,robin@example.com,Robin Clark,disabled,Sales\n",
  );
  await getObjectStore().put(files.groups, "externalId,name\npg1,Payments Approvers\npg2,Sales Team\n");
  await getObjectStore().put(files.memberships, "groupExternalId,memberExternalId\npg1,p1\npg2,p2\npg2,p3\n");
  const created = await createIntegration(ctx, { name: "Provisioned HR", connector: "csv", config: { files } });
  integrationId = created.integration.id;
  for (let i = 0; i < 120; i++) {
    const [row] = await sql<{ status: string }[]>`select status from sync_executions where id = ${created.sync!.id}`;
    if (row && !["queued", "syncing", "completed"].includes(row.status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sql?.end();
});

async function shoot(page: Page, who: string, name: string) {
  if (!shots) return;
  fs.mkdirSync(shots, { recursive: true });
  const start = page.viewportSize();
  for (const v of VIEWPORTS) {
    await page.setViewportSize({ width: v.width, height: v.height });
    await page.waitForTimeout(150);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(scrollWidth, `${name} at ${v.width}px for ${who}`).toBeLessThanOrEqual(innerWidth);
    await page.screenshot({ path: path.join(shots, `${name}-${who}-${v.width}.png`), fullPage: true });
  }
  if (start) await page.setViewportSize(start);
}

describe("provisioning accounts, end to end", () => {
  it("an admin switches provisioning on, disables an account from its page, and the task is queued", async () => {
    const { context, page } = await signIn(browser, alpha.users.admin);
    const accountPath = `/integrations/${integrationId}/accounts/p2`;

    // Off: the account page says so instead of offering operations, and links to the settings.
    await page.goto(accountPath);
    await page.getByText("Provisioning is switched off for this application").waitFor();
    expect(await page.getByRole("button", { name: "Disable" }).count()).toBe(0);
    await page.getByRole("link", { name: "Switch it on in the provisioning settings" }).click();
    await page.waitForURL(`**/integrations/${integrationId}/provisioning`);

    // A CSV application offers only the callback and manual modes, and starts on manual fulfilment.
    const mode = page.getByLabel("Mode");
    expect(await mode.locator("option").allTextContents()).toEqual(["HTTP endpoint with callback", "Manual fulfilment"]);
    expect(await mode.inputValue()).toBe("manual");
    // The callback endpoint needs a URL; the form says so before anything is sent.
    await mode.selectOption("callback");
    await page.getByLabel("Data synchronization enabled for this application").check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Enter the endpoint's URL, e.g. https://hr.example.com/provisioning").waitFor();
    await mode.selectOption("manual");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Provisioning settings saved.").waitFor();
    await shoot(page, "admin", "settings");

    // The accounts list finds the account; its page shows its fields and memberships.
    await page.goto(`/integrations/${integrationId}/accounts`);
    await page.getByLabel("Search", { exact: true }).fill("quinn");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/q=quinn/);
    const rows = page.getByRole("table", { name: "Accounts" }).locator("tbody tr");
    expect(await rows.count()).toBe(1);
    await rows.first().getByRole("link", { name: "quinn.baker" }).click();
    await page.waitForURL(`**${accountPath}`);
    await page.getByRole("heading", { name: "quinn.baker" }).waitFor();
    await page.getByRole("table", { name: "Group memberships" }).getByText("Sales Team").waitFor();

    await page.getByRole("button", { name: "Disable" }).click();
    await page.getByRole("alertdialog").or(page.getByRole("dialog")).getByRole("button", { name: "Queue disable" }).click();
    const notice = page.getByRole("status").filter({ hasText: "Disable queued. It is in the Synchronization Logs" });
    await notice.waitFor();
    expect(await notice.getByRole("link", { name: "Synchronization Logs" }).getAttribute("href")).toMatch(
      /^\/provisioning\?task=[0-9a-f-]{36}$/,
    );
    // The task shows on the account's page, and it is a real task row naming who queued it.
    // Manual fulfilment: the worker takes it and it waits, running, for someone to Confirm it.
    await page
      .getByRole("table", { name: "Provisioning tasks" })
      .getByText(/^(Pending|Running)$/)
      .waitFor();
    const tasks = await sql<{ action: string; object_name: string; source: string; initiator_name: string }[]>`
      select action, object_name, source, initiator_name from provisioning_tasks where integration_id = ${integrationId}`;
    expect(tasks).toEqual([{ action: "disable", object_name: "quinn.baker", source: "manual", initiator_name: alpha.users.admin }]);
    await shoot(page, "admin", "account");

    // A batch: one good row and one refused by its line, then its page with progress.
    await page.goto(`/provisioning/batches/new?integrationId=${integrationId}`);
    await page.getByLabel("CSV file").setInputFiles({
      name: "leavers.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("action,username,group\nrevoke,pat.adams,pg1\ngrant,robin.clark,\n"),
    });
    await page.getByRole("button", { name: "Upload and queue" }).click();
    await page.waitForURL(/\/provisioning\/batches\/[0-9a-f-]{36}$/);
    batchPath = new URL(page.url()).pathname;
    await page.getByText("0 of 1 tasks settled").waitFor();
    const refused = page.getByRole("table", { name: "Refused rows" });
    expect(await refused.locator("tbody tr").first().textContent()).toContain("3group: is required to grant a group membership.");
    await shoot(page, "admin", "batch");

    // A binary file is refused on the form, and no batch is made.
    await page.goto(`/provisioning/batches/new?integrationId=${integrationId}`);
    await page
      .getByLabel("CSV file")
      .setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]) });
    await page.getByRole("button", { name: "Upload and queue" }).click();
    await page.getByText("“photo.png” cannot be used: the file is binary").or(page.getByText("the file is binary")).first().waitFor();
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from provisioning_batches where integration_id = ${integrationId}`;
    expect(n).toBe(1);
    await context.close();
    // Screenshots at two widths and a real sync before it: more than the default minute on a busy 2-core machine.
  }, 180_000);

  it("an auditor reads the settings and the account without acting; a viewer is refused the settings", async () => {
    const auditor = await signIn(browser, alpha.users.auditor);
    await auditor.page.goto(`/integrations/${integrationId}/provisioning`);
    await auditor.page.getByText("Your role can read these settings").waitFor();
    expect(await auditor.page.getByLabel("Data synchronization enabled for this application").isChecked()).toBe(true);
    expect(await auditor.page.getByLabel("Data synchronization enabled for this application").isDisabled()).toBe(true);
    expect(await auditor.page.getByRole("button", { name: "Save" }).count()).toBe(0);
    await shoot(auditor.page, "auditor", "settings");
    await auditor.page.goto(`/integrations/${integrationId}/accounts/p2`);
    await auditor.page.getByRole("table", { name: "Provisioning tasks" }).getByText("Disable").waitFor();
    expect(await auditor.page.getByText("Manual Operations").count()).toBe(0);
    await shoot(auditor.page, "auditor", "account");
    await auditor.page.goto(batchPath);
    await auditor.page.getByText("0 of 1 tasks settled").waitFor();
    await shoot(auditor.page, "auditor", "batch");
    expect((await auditor.page.goto("/provisioning/batches/new"))?.status()).toBe(403);
    await auditor.context.close();

    const viewer = await signIn(browser, alpha.users.viewer);
    expect((await viewer.page.goto(`/integrations/${integrationId}/provisioning`))?.status()).toBe(403);
    // The viewer reads accounts, but no operation is offered and the tasks are not shown.
    await viewer.page.goto(`/integrations/${integrationId}/accounts/p2`);
    await viewer.page.getByRole("heading", { name: "quinn.baker" }).waitFor();
    expect(await viewer.page.getByText("Manual Operations").count()).toBe(0);
    expect(await viewer.page.getByRole("table", { name: "Provisioning tasks" }).count()).toBe(0);
    const res = await fetch(`${baseUrl()}${batchPath}`, { headers: { cookie: await cookieHeader(viewer.context) }, redirect: "manual" });
    expect(res.status).toBe(403);
    await viewer.context.close();
  }, 120_000);
});
