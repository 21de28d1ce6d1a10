import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, signIn } from "./browser";

let browser: Browser;
const alpha = inject("tenantA");
const ldap = inject("ldap");

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe("integrations, end to end", () => {
  it("an operator tests the connection, saves an LDAP integration, and Sync History shows the sync it started", async () => {
    const { context, page } = await signIn(browser, alpha.users.operator);
    await page.goto("/integrations/new");
    await page.getByLabel("Name").fill("HR Directory");
    await page.getByLabel("Connector").selectOption("ldap");
    await page.getByLabel("Server URL").fill(ldap.url);
    await page.getByLabel("Bind DN").fill(ldap.bindDn);
    await page.getByLabel("Bind password").fill("wrong-password");
    await page.getByRole("textbox", { name: /^Base DN/ }).fill(ldap.baseDn);

    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText(/Connection failed/).waitFor();
    await page.getByText(/invalid credentials/i).waitFor();
    await page.getByLabel("Bind password").fill(ldap.bindPassword);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("Connection succeeded").waitFor();
    await page.getByText(/20 accounts/).waitFor();

    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Mapping" }).waitFor();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Optional Configuration" }).waitFor();
    await page.getByRole("button", { name: "Save" }).click();

    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}\/syncs/);
    const history = page.getByRole("table", { name: "Sync history" });
    await history.getByText("Post-sync Completed").waitFor({ timeout: 30_000 });
    const row = history.locator("tbody tr").first();
    expect(await row.textContent()).toContain(alpha.users.operator);
    expect(await row.getByRole("link", { name: /^Evidence for sync/ }).count()).toBe(1);

    // The sync detail has the counts and the per-record Sync Log.
    await row.getByRole("link").first().click();
    await page.waitForURL(/\/syncs\/[0-9a-f-]{36}/);
    const counts = (await page.getByRole("table", { name: "Counts" }).textContent()) ?? "";
    expect(counts).toMatch(/Accounts/);
    expect(counts).toContain("20");
    const log = page.getByRole("table", { name: "Sync log" });
    expect(await log.locator("tbody tr").count()).toBeGreaterThan(10);
    // Rows are named: the first account by its uid, memberships by member and group. (The two
    // staging lanes take slices side by side, so a group slice may come before the accounts.)
    const firstAccount = (await log.locator("tbody tr", { hasText: "Accounts" }).first().textContent()) ?? "";
    expect(firstAccount).toContain("user000000");
    await page.getByLabel("Name or external id").fill("user000005 in group00001");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/q=user000005/);
    expect(await log.locator("tbody tr").count()).toBe(1);
    expect(await log.locator("tbody tr").first().textContent()).toContain("Memberships");

    // The Sync Log exports as a CSV attachment.
    const href = await page.getByRole("link", { name: /Export CSV/ }).getAttribute("href");
    const exported = await page.request.get(href!);
    expect(exported.status()).toBe(200);
    expect(exported.headers()["content-disposition"]).toMatch(/^attachment; filename="sync-log-/);
    expect(href).toContain("q=user000005");
    const csv = await exported.text();
    expect(csv).toContain("sync_id,record_id,object_type,external_id,name,outcome,reason");
    const lines = csv.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/,membership,[^,]+\|[^,]+,user000005 in group00001,created,$/);
    // Unfiltered, every row carries its name.
    const all = (await (await page.request.get(href!.replace(/\?.*$/, ""))).text()).trim().split("\n");
    expect(all.length).toBeGreaterThan(20);
    expect(all.find((l) => l.includes(",account,"))).toMatch(/,user0000\d\d,created,$/);
    await context.close();
  });

  it("the save is in the audit log with the secret redacted, and a viewer can read history but not edit", async () => {
    const admin = await signIn(browser, alpha.users.admin);
    await admin.page.goto("/admin/audit-log?entityType=ConnectionProfile&action=Create");
    const rows = admin.page.getByRole("table", { name: "Audit events" }).locator("tbody tr");
    expect(await rows.first().textContent()).toContain("HR Directory");
    await rows.first().getByRole("link").click();
    const diff = (await admin.page.getByRole("table", { name: "Field changes" }).textContent()) ?? "";
    expect(diff).toContain("config.bindPassword");
    expect(diff).toContain("[redacted]");
    expect(await admin.page.content()).not.toContain(ldap.bindPassword);

    // The Sync Log export is an audit event too.
    await admin.page.goto("/admin/audit-log?entityType=SyncLog&action=Export");
    const exports = admin.page.getByRole("table", { name: "Audit events" }).locator("tbody tr");
    expect(await exports.first().textContent()).toContain("HR Directory sync");
    expect(await exports.first().textContent()).toContain(alpha.users.operator);
    await admin.context.close();

    const viewer = await signIn(browser, alpha.users.viewer);
    await viewer.page.goto("/integrations");
    await viewer.page.getByRole("table", { name: "Integrations" }).getByText("HR Directory").waitFor();
    expect((await viewer.page.goto("/integrations/new"))?.status()).toBe(403);
    await viewer.context.close();
  });

  it("an operator uploads CSV files in the form: a non-CSV file is refused by name, a good one syncs", async () => {
    const { context, page } = await signIn(browser, alpha.users.operator);
    await page.goto("/integrations/new");
    await page.getByLabel("Name").fill("Contractors CSV");
    await page.getByLabel("Connector").selectOption("csv");

    await page.getByLabel("Groups file").setInputFiles({
      name: "groups.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("<!DOCTYPE html><html><body>not a csv</body></html>"),
    });
    await page.getByText(/"groups\.csv" was refused: .*HTML/).waitFor();

    await page.getByLabel("Accounts file").setInputFiles({
      name: "contractors.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("externalId,username,email\nc1,carla,carla@x.test\nc2,chen,chen@x.test\nc3,cruz,cruz@x.test\n"),
    });
    await page.getByText(/contractors\.csv \(\d+ B\)/).waitFor();
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("Connection succeeded").waitFor();
    await page.getByText(/accounts: 3 rows/).waitFor();

    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Mapping" }).waitFor();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}\/syncs/);
    await page.getByRole("table", { name: "Sync history" }).getByText("Post-sync Completed").waitFor({ timeout: 30_000 });
    await context.close();
  });

  it("an operator attaches notes and files with a save; the Evidence panel shows them, verified, and a viewer cannot open it", async () => {
    const { context, page } = await signIn(browser, alpha.users.operator);
    await page.goto("/integrations");
    await page.getByRole("table", { name: "Integrations" }).getByRole("link", { name: "HR Directory", exact: true }).click();
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Audit Evidence" }).waitFor();

    const editor = page.getByRole("textbox", { name: "Evidence notes" });
    await editor.click();
    await page.keyboard.type("Access review Q4");
    await page.getByRole("button", { name: "Bold" }).click();
    await page.keyboard.type(" approved");

    await page.getByLabel("Evidence files").setInputFiles([
      { name: "signoff.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n") },
      { name: "fake.pdf", mimeType: "application/pdf", buffer: Buffer.from("<!doctype html><html><body>phish</body></html>") },
    ]);
    await page.getByText(/"fake\.pdf" was refused: its content is not a PDF/).waitFor();
    await page.getByRole("button", { name: "Remove fake.pdf" }).click();
    await page.getByRole("list", { name: "Evidence files to attach" }).getByText("signoff.pdf").waitFor();
    await page.getByRole("button", { name: "Save", exact: true }).waitFor({ state: "visible" });
    await page.getByRole("button", { name: "Save", exact: true }).click();

    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}\/syncs/);
    const history = page.getByRole("table", { name: "Sync history" });
    const newest = history.locator("tbody tr").first();
    await newest.getByRole("link", { name: /^Evidence for sync/ }).click();
    await page.waitForURL(/\/syncs\/[0-9a-f-]{36}\/evidence/);
    await page.getByRole("heading", { name: "Audit Evidence" }).waitFor();
    await page.getByText("Access review Q4").waitFor();
    expect(await page.locator("strong", { hasText: "approved" }).count()).toBe(1);
    const files = page.getByRole("table", { name: "Evidence files" });
    expect(await files.locator("tbody tr").count()).toBe(1);
    expect(await files.textContent()).toContain("signoff.pdf");

    // Sealed and signed within seconds of the save.
    for (let i = 0; i < 30 && !(await page.getByText("Verified", { exact: true }).count()); i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    await page.getByText("Verified", { exact: true }).waitFor();

    const href = await page.getByRole("link", { name: "Download signoff.pdf" }).getAttribute("href");
    const download = await page.request.get(href!, { maxRedirects: 5 });
    expect(download.status()).toBe(200);
    expect(download.headers()["content-disposition"]).toMatch(/^attachment; filename="signoff\.pdf"/);
    const evidenceUrl = page.url();
    await context.close();

    const viewer = await signIn(browser, alpha.users.viewer);
    expect((await viewer.page.goto(evidenceUrl))?.status()).toBe(403);
    await viewer.context.close();

    const auditor = await signIn(browser, alpha.users.auditor);
    await auditor.page.goto("/ledger");
    await auditor.page.getByRole("button", { name: "Verify ledger" }).click();
    await auditor.page.getByText("Ledger intact").waitFor({ timeout: 30_000 });
    await auditor.page.goto("/admin/audit-log?entityType=Evidence&action=Download");
    expect(await auditor.page.getByRole("table", { name: "Audit events" }).textContent()).toContain("signoff.pdf");
    await auditor.context.close();
  });
});

describe("stored secrets in the integration form", () => {
  it("after the server URL changes, the stored bind password must be typed again, to test or to save", async () => {
    const { context, page } = await signIn(browser, alpha.users.operator);
    await page.goto("/integrations");
    await page.getByRole("table", { name: "Integrations" }).getByRole("link", { name: "HR Directory", exact: true }).click();
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByText("Leave blank to keep the stored value.").waitFor();

    const moved = ldap.url.replace(/:\d+$/, ":1");
    await page.getByLabel("Server URL").fill(moved);
    await page
      .getByText(/The address changed: type it again/)
      .first()
      .waitFor();
    await page.getByRole("button", { name: "Test connection" }).click();
    await page
      .getByText(/Type it again: the address changed, and a stored secret is only sent to the address it was saved for/)
      .first()
      .waitFor();

    // Back at the saved address, the stored password is used again.
    await page.getByLabel("Server URL").fill(ldap.url);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("Connection succeeded").waitFor();
    await context.close();
  });
});
