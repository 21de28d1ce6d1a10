import fs from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, signIn } from "./browser";

let browser: Browser;
const alpha = inject("tenantA");

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe("audit log, end to end", () => {
  it("records an admin's change with its diff, and the admin can find it with the filters", async () => {
    const { context, page } = await signIn(browser, alpha.users.admin);

    // An administrative action: change the reviewer's role to operator.
    await page.goto("/admin/members");
    const row = page.getByRole("row").filter({ hasText: alpha.users.reviewer });
    await row.getByLabel(`Role of ${alpha.users.reviewer}`).selectOption("operator");
    await row.getByRole("button", { name: "Save" }).click();
    await page.getByText(`${alpha.users.reviewer}: operator`).waitFor();

    // Another: create an API key, shown once.
    await page.goto("/admin/api-keys");
    await page.getByLabel("Name").fill("SIEM export");
    await page.getByRole("checkbox", { name: "audit_log:read" }).check();
    await page.getByRole("button", { name: "Create API key" }).click();
    const secret = (await page.getByTestId("new-api-key").textContent()) ?? "";
    expect(secret).toMatch(/^slk_/);
    await page.reload();
    expect(await page.content()).not.toContain(secret);

    // Filter by entity type and action as in the seed.
    await page.goto("/admin/audit-log");
    await page.getByLabel("Entity Type").selectOption("Member");
    await page.getByLabel("Action").selectOption("ChangeRole");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/entityType=Member/);
    const table = page.getByRole("table", { name: "Audit events" });
    // Other tests change roles too: keep the rows about this member.
    const rows = table.locator("tbody tr").filter({ hasText: alpha.users.reviewer });
    expect(await rows.count()).toBe(1);
    const text = (await rows.first().textContent()) ?? "";
    expect(text).toContain(alpha.users.admin);
    expect(text).toContain("ChangeRole");
    expect(text).toContain(alpha.users.reviewer);
    expect(text).toMatch(/\d+\.\d+\.\d+\.\d+|::1/);

    // The row opens the full event with its before/after.
    await rows.first().getByRole("link").click();
    await page.waitForURL(/\/admin\/audit-log\/[0-9a-f-]{36}$/);
    const diff = page.getByRole("table", { name: "Field changes" });
    const diffText = (await diff.textContent()) ?? "";
    expect(diffText).toContain("role");
    expect(diffText).toContain("reviewer");
    expect(diffText).toContain("operator");

    // Free-text search over entity name and details.
    await page.goto("/admin/audit-log?q=siem");
    const found = page.getByRole("table", { name: "Audit events" }).locator("tbody tr");
    expect(await found.count()).toBe(1);
    expect(await found.first().textContent()).toContain("SIEM export");
    await context.close();
  });

  it("exports the filtered log as CSV, and the export itself is audited", async () => {
    const { context, page } = await signIn(browser, alpha.users.auditor);
    await page.goto("/admin/audit-log?entityType=Member");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-log-.*\.csv$/);
    const csv = fs.readFileSync((await download.path())!, "utf8");
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toContain("time,actor_type,actor,action,entity_type");
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.slice(1).every((l) => l.includes(",Member,"))).toBe(true);

    await page.goto("/admin/audit-log?entityType=AuditLog&action=Export");
    const rows = page.getByRole("table", { name: "Audit events" }).locator("tbody tr");
    expect(await rows.first().textContent()).toContain(alpha.users.auditor);
    expect(await rows.first().textContent()).toContain("entityType=Member");
    await context.close();
  });
});
