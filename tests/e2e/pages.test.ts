/**
 * Every page each role can see, at a desktop and a phone width: no page is
 * wider than the window, a page the role may not see shows the framed refusal
 * (403) and an unknown address the framed not-found page (404), both with the
 * app's navigation. With PAGES_SHOTS=<dir> it also saves a screenshot of each.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { permissionsForRole } from "@/lib/auth/context";
import type { Role } from "@/lib/auth/permissions";
import { navFor } from "@/app/(app)/nav";
import { launch, signIn } from "./browser";

let browser: Browser;
const alpha = inject("tenantA");
const ldap = inject("ldap");
const shots = process.env.PAGES_SHOTS;
let integrationId = "";
let syncId = "";

const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

type Who = Role | "platform";

/** Pages each role may not see. */
const REFUSED: Record<Who, string[]> = {
  admin: ["/platform/tenants", "/platform/audit-log"],
  operator: ["/admin/members", "/ledger"],
  auditor: ["/admin/api-keys"],
  viewer: ["/admin/audit-log"],
  reviewer: ["/integrations", "/sync-logs"],
  platform: ["/sync-logs"],
};

function pagesFor(who: Who): string[] {
  if (who === "platform") return ["/", "/platform/tenants", "/platform/audit-log"];
  const permissions = permissionsForRole(who);
  const ctx = { tenantId: alpha.id, role: who, permissions, actor: { type: "user" as const, id: "x", name: "x" }, request: {} };
  const pages = navFor(ctx, false).map((n) => n.href);
  if (permissions.has("integrations:read")) pages.push(`/integrations/${integrationId}/syncs`, `/syncs/${syncId}`);
  if (permissions.has("integrations:write")) pages.push("/integrations/new", `/integrations/${integrationId}/edit`);
  if (permissions.has("evidence:read")) pages.push(`/syncs/${syncId}/evidence`);
  return pages;
}

async function overflow(page: Page) {
  return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
}

async function expectFramed(page: Page, width: number) {
  // The app's navigation is there: the sidebar on a desktop, its menu button on a phone.
  if (width >= 768) await page.getByRole("navigation", { name: "Main" }).waitFor();
  else await page.getByRole("button", { name: "Open navigation" }).waitFor();
  await page.getByRole("button", { name: "Switch tenant" }).or(page.getByText("platform admin")).first().waitFor();
}

async function shot(page: Page, who: string, viewport: string, url: string) {
  if (!shots) return;
  fs.mkdirSync(shots, { recursive: true });
  const name = `${who}-${viewport}-${
    url === "/"
      ? "overview"
      : url
          .replace(/^\//, "")
          .replace(/[/?=&]/g, "_")
          .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "id")
  }.png`;
  await page.screenshot({ path: path.join(shots, name), fullPage: true });
}

beforeAll(async () => {
  browser = await launch();
  // An integration with a finished sync, for the detail pages.
  const { context, page } = await signIn(browser, alpha.users.operator);
  await page.goto("/integrations/new");
  await page.getByLabel("Name").fill("Pages Directory");
  await page.getByLabel("Connector").selectOption("ldap");
  await page.getByLabel("Server URL").fill(ldap.url);
  await page.getByLabel("Bind DN").fill(ldap.bindDn);
  await page.getByLabel("Bind password").fill(ldap.bindPassword);
  await page.getByRole("textbox", { name: /^Base DN/ }).fill(ldap.baseDn);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("heading", { name: "Mapping" }).waitFor();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/integrations\/[0-9a-f-]{36}\/syncs/);
  integrationId = page.url().match(/integrations\/([0-9a-f-]{36})/)![1];
  const history = page.getByRole("table", { name: "Sync history" });
  await history.getByText("Post-sync Completed").waitFor({ timeout: 30_000 });
  const href = await history.locator("tbody tr").first().getByRole("link").first().getAttribute("href");
  syncId = href!.match(/syncs\/([0-9a-f-]{36})/)![1];
  await context.close();
});
afterAll(async () => {
  await browser?.close();
});

const WHO: Who[] = ["admin", "operator", "auditor", "viewer", "reviewer", "platform"];

describe("every page, every role, both widths", () => {
  for (const who of WHO) {
    it(`${who}: pages fit the window, refusals and unknown pages are framed`, async () => {
      const email = who === "platform" ? alpha.users.platform : alpha.users[who];
      const { context, page } = await signIn(browser, email);
      const wide: string[] = [];
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`${page.url()}: ${m.text()}`);
      });
      try {
        for (const vp of VIEWPORTS) {
          await page.setViewportSize({ width: vp.width, height: vp.height });
          for (const url of pagesFor(who)) {
            const response = await page.goto(url);
            expect(response?.status(), `${who} ${url}`).toBe(200);
            await page.locator("h1").first().waitFor();
            const { scrollWidth, innerWidth } = await overflow(page);
            if (scrollWidth > innerWidth + 1) wide.push(`${url} at ${vp.width}px: ${scrollWidth}px`);
            await shot(page, who, vp.name, url);
          }

          for (const url of REFUSED[who]) {
            const refused = await page.goto(url);
            expect(refused?.status(), `${who} ${url}`).toBe(403);
            await page.getByRole("heading", { name: "Access denied", level: 1 }).waitFor();
            await expectFramed(page, vp.width);
            expect((await overflow(page)).scrollWidth).toBeLessThanOrEqual(vp.width + 1);
          }
          await shot(page, who, vp.name, "refused");

          const missing = await page.goto("/no-such-page");
          expect(missing?.status()).toBe(404);
          await page.getByRole("heading", { name: "Page not found", level: 1 }).waitFor();
          await expectFramed(page, vp.width);
          await shot(page, who, vp.name, "not-found");
        }
        expect(wide, "pages wider than the window").toEqual([]);
        expect(
          errors.filter((e) => !/status of 40[34]/.test(e)),
          "console errors",
        ).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it("Sync Logs export the filtered records of every sync as CSV; an unknown API path answers JSON 404", async () => {
    const { context, page } = await signIn(browser, alpha.users.auditor);
    // Other files sync the same seeded directory in this tenant: the filters name this file's integration.
    const filters = `objectType=group&integrationId=${integrationId}`;
    await page.goto(`/sync-logs?${filters}`);
    const table = page.getByRole("table", { name: "Sync Logs" });
    await table.getByText("group00000").first().waitFor();
    expect(await table.getByText("user000000", { exact: true }).count()).toBe(0);
    const res = await page.request.get(`/api/sync-logs/export?${filters}`);
    expect(res.status()).toBe(200);
    const lines = (await res.text())
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\n");
    expect(lines[0]).toBe("integration,sync_id,sync_started_at,record_id,object_type,external_id,name,outcome,reason");
    expect(lines.slice(1)).toHaveLength(3);
    expect(lines.slice(1).every((l) => l.startsWith("Pages Directory,") && l.includes(",group,"))).toBe(true);
    const missing = await page.request.get("/api/no-such-route");
    expect(missing.status()).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "not_found:route" } });
    await context.close();
  });

  it("a reviewer's Overview says what campaigns are and that none is assigned yet", async () => {
    const { context, page } = await signIn(browser, alpha.users.reviewer);
    await page.getByText("Your access reviews").waitFor();
    await page.getByText(/Campaigns are the access reviews you are asked to complete/).waitFor();
    await page.getByText("No campaign is assigned to you.").waitFor();
    await context.close();
  });

  it("a platform administrator without a tenant lands on the platform Overview and reads the platform audit log", async () => {
    const { context, page } = await signIn(browser, alpha.users.platform);
    await page.getByRole("heading", { name: "Platform", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Open the platform audit log" }).click();
    await page.waitForURL("**/platform/audit-log");
    const table = page.getByRole("table", { name: "Platform audit events" });
    await table.getByText("Platform admin granted").first().waitFor();
    await table.getByText('Created tenant "Alpha Corp" (alpha)').waitFor();
    await context.close();
  });
});
