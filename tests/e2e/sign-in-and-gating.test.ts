import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, signIn } from "./browser";

let browser: Browser;
const alpha = inject("tenantA");
const beta = inject("tenantB");

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe("sign-in", () => {
  it("sends signed-out visitors to the sign-in page and back after signing in", async () => {
    const context = await browser.newContext({ baseURL: inject("baseUrl") });
    const page = await context.newPage();
    await page.goto("/admin/audit-log");
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.getByLabel("Email").fill(alpha.users.auditor);
    await page.getByLabel("Password").fill(inject("password"));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/admin/audit-log");
    await page.getByRole("heading", { name: "Audit Log", level: 1 }).waitFor();
    await context.close();
  });

  it("tells the user when the password is wrong and stays on the sign-in page", async () => {
    const context = await browser.newContext({ baseURL: inject("baseUrl") });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("Email").fill(alpha.users.operator);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Email or password is incorrect.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    await context.close();
  });
});

describe("role gating", () => {
  it("shows a viewer an access-denied page (403) for the audit log, and no Audit Log link", async () => {
    const { context, page } = await signIn(browser, alpha.users.viewer);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.waitFor();
    expect(await nav.getByRole("link", { name: "Audit Log" }).count()).toBe(0);
    const response = await page.goto("/admin/audit-log");
    expect(response?.status()).toBe(403);
    await page.getByRole("heading", { name: "Access denied" }).waitFor();
    expect(await page.getByRole("table", { name: "Audit events" }).count()).toBe(0);
    const keys = await page.goto("/admin/api-keys");
    expect(keys?.status()).toBe(403);
    await context.close();
  });

  it("lets an auditor read the audit log but not manage API keys or tenants", async () => {
    const { context, page } = await signIn(browser, alpha.users.auditor);
    expect((await page.goto("/admin/audit-log"))?.status()).toBe(200);
    expect((await page.goto("/admin/api-keys"))?.status()).toBe(403);
    expect((await page.goto("/platform/tenants"))?.status()).toBe(403);
    await context.close();
  });
});

describe("tenant switching", () => {
  it("a member of two tenants switches between them, and each tenant's role applies", async () => {
    const { context, page } = await signIn(browser, alpha.users.consultant);
    const switcher = page.getByRole("button", { name: "Switch tenant" });
    await expect.poll(() => switcher.textContent()).toContain("Alpha Corp");
    expect((await page.goto("/admin/audit-log"))?.status()).toBe(200);

    await switcher.click();
    await page.getByRole("menuitem", { name: /Beta Ltd/ }).click();
    await expect.poll(() => switcher.textContent(), { timeout: 10_000 }).toContain("Beta Ltd");
    expect(new URL(page.url()).pathname).toBe("/");
    // A viewer in Beta: the audit log is closed there.
    expect((await page.goto("/admin/audit-log"))?.status()).toBe(403);

    await page.goto("/");
    await switcher.click();
    await page.getByRole("menuitem", { name: /Alpha Corp/ }).click();
    await expect.poll(() => switcher.textContent(), { timeout: 10_000 }).toContain("Alpha Corp");
    expect((await page.goto("/admin/audit-log"))?.status()).toBe(200);
    await context.close();
  });

  it("a session update naming a tenant the user does not belong to leaves the session where it was", async () => {
    const { context, page } = await signIn(browser, alpha.users.admin);
    const answer = await page.evaluate(async (tenantId) => {
      const { csrfToken } = await (await fetch("/api/auth/csrf")).json();
      const res = await fetch("/api/auth/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ csrfToken, data: { tenantId } }),
      });
      return { status: res.status, session: await res.json() };
    }, beta.id);
    expect(answer.status).toBe(200);
    expect(answer.session.user.tenantId).toBe(alpha.id);
    expect(answer.session.user.role).toBe("admin");
    await page.goto("/admin/audit-log");
    expect(await page.content()).toContain("Alpha Corp");
    expect(await page.content()).not.toContain("Beta Ltd");
    await context.close();
  });
});
