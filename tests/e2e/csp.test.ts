/**
 * Content-Security-Policy in Chromium (issue 10, item 9): every answer carries
 * a policy with a fresh script nonce, Next's own scripts carry that nonce, the
 * pages hydrate and run (sign-in, the evidence editor, charts, dialogs, file
 * uploads) with no violation reported, and integration logos are uploaded
 * images served only to members of their tenant.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HTML_AS_PNG, pngImage, SVG_LOGO } from "../helpers/images";
import { baseUrl, cookieHeader, launch, signIn } from "./browser";

let browser: Browser;
const alpha = inject("tenantA");
const beta = inject("tenantB");
const ldap = inject("ldap");
const files = fs.mkdtempSync(path.join(os.tmpdir(), "csp-e2e-"));

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(files, { recursive: true, force: true });
});

function nonceOf(csp: string | null) {
  return csp?.match(/script-src[^;]*'nonce-([A-Za-z0-9+/=]+)'/)?.[1] ?? null;
}

/** Every <script> in a page's HTML, and whether each carries `nonce`. */
function scriptsWithout(html: string, nonce: string) {
  const tags = html.match(/<script\b[^>]*>/g) ?? [];
  expect(tags.length).toBeGreaterThan(0);
  return tags.filter((tag) => !tag.includes(`nonce="${nonce}"`));
}

/** A browser context that records CSP violations (events and console reports) and page errors. */
async function watchedContext(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ baseURL: baseUrl() });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (/CSP violation|Content Security Policy|Refused to (execute|load|apply|connect|frame)/i.test(m.text()))
      problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`${page.url()}: ${e.message}`));
  return { context, page, problems };
}

async function signInOn(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(inject("password"));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

describe("content security policy", () => {
  it("carries a fresh nonce on every answer, on Next's scripts too, with frame-ancestors 'none' and no HSTS over http", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const login = await fetch(`${baseUrl()}/login`);
      const csp = login.headers.get("content-security-policy");
      const nonce = nonceOf(csp);
      expect(nonce).toBeTruthy();
      nonces.add(nonce!);
      expect(csp).toContain("'strict-dynamic'");
      expect(csp).not.toContain("unsafe-eval");
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(scriptsWithout(await login.text(), nonce!)).toEqual([]);
      expect(login.headers.get("x-content-type-options")).toBe("nosniff");
      expect(login.headers.get("strict-transport-security")).toBeNull();
    }
    expect(nonces.size).toBe(2);

    // A client claiming https is not a trusted proxy: still no HSTS.
    const forged = await fetch(`${baseUrl()}/login`, { headers: { "x-forwarded-proto": "https" } });
    expect(forged.headers.get("strict-transport-security")).toBeNull();
    // API answers get a policy under which nothing runs; the redirect to sign in carries the page policy.
    expect((await fetch(`${baseUrl()}/api/health`)).headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'; sandbox",
    );
    const redirect = await fetch(`${baseUrl()}/integrations`, { redirect: "manual" });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);

    const { context } = await signIn(browser, alpha.users.admin);
    const page = await fetch(`${baseUrl()}/integrations`, { headers: { cookie: await cookieHeader(context) } });
    expect(page.status).toBe(200);
    const nonce = nonceOf(page.headers.get("content-security-policy"));
    expect(nonce).toBeTruthy();
    expect(nonces.has(nonce!)).toBe(false);
    expect(scriptsWithout(await page.text(), nonce!)).toEqual([]);
    await context.close();
  });

  it("markup injected into a page cannot run script, and another site cannot frame the app", async () => {
    const { context, page, problems } = await watchedContext();
    await page.goto("/login");
    // What an HTML injection looks like: parser-inserted, without the nonce.
    const ran = await page.evaluate(async () => {
      document.body.insertAdjacentHTML("beforeend", '<img src="data:," onerror="window.__injected = true">');
      const frame = document.createElement("div");
      frame.innerHTML = '<iframe srcdoc="<script>parent.__injected = true</script>"></iframe>';
      document.body.appendChild(frame);
      await new Promise((r) => setTimeout(r, 300));
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    expect(problems.join("\n")).toMatch(/CSP violation: script-src/);

    const outside = await browser.newContext();
    const framing = await outside.newPage();
    await framing.setContent(`<iframe id="app" src="${baseUrl()}/login" width="600" height="400"></iframe>`);
    await framing.waitForTimeout(1500);
    const framed = framing.frames().find((f) => f !== framing.mainFrame());
    expect(
      await framed
        ?.locator("input#email, input[name=email]")
        .count()
        .catch(() => 0),
    ).toBe(0);
    await outside.close();
    await context.close();
  });

  it("an admin goes through the main pages, uploads a logo and writes evidence in the editor, and no CSP violation happens", async () => {
    fs.writeFileSync(path.join(files, "not-an-image.png"), HTML_AS_PNG);
    fs.writeFileSync(path.join(files, "logo.svg"), SVG_LOGO);
    fs.writeFileSync(path.join(files, "acme.png"), pngImage(64, [16, 122, 87]));
    const { context, page, problems } = await watchedContext();
    await page.setViewportSize({ width: 1280, height: 900 });
    await signInOn(page, alpha.users.admin);

    // Hydrated: the user menu (a Radix dropdown) opens.
    await page.getByRole("button", { name: "User menu" }).click();
    await page.getByRole("menuitem", { name: /Sign out/ }).waitFor();
    await page.keyboard.press("Escape");

    await page.goto("/integrations/new");
    await page.getByLabel("Name").fill("Logo Directory");
    await page.getByLabel("Connector").selectOption("ldap");
    await page.getByLabel("Server URL").fill(ldap.url);
    await page.getByLabel("Bind DN").fill(ldap.bindDn);
    await page.getByLabel("Bind password").fill(ldap.bindPassword);
    await page.getByRole("textbox", { name: /^Base DN/ }).fill(ldap.baseDn);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Mapping" }).waitFor();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Optional Configuration" }).waitFor();

    const logoInput = page.locator("#logo-file");
    await logoInput.setInputFiles(path.join(files, "not-an-image.png"));
    await page.getByRole("alert").filter({ hasText: "is not a PNG, JPEG, WebP or GIF image" }).waitFor();
    await logoInput.setInputFiles(path.join(files, "logo.svg"));
    await page.getByRole("alert").filter({ hasText: "SVG logos are not accepted" }).waitFor();
    await logoInput.setInputFiles(path.join(files, "acme.png"));
    await page.getByRole("button", { name: "Replace logo" }).waitFor();
    const editor = page.getByRole("textbox", { name: "Evidence notes" });
    await editor.click();
    await page.keyboard.type("Quarterly access review signed off.");
    await page.getByRole("button", { name: "Bold" }).click();
    await page.keyboard.type(" Approved.");
    await page.screenshot({ path: "/tmp/csp-shots/e2e-integration-form-1280.png", fullPage: true });
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}\/syncs/);
    const id = page.url().match(/integrations\/([0-9a-f-]{36})/)![1];

    // The logo is served by the app and shows (img-src 'self').
    const logo = page.locator(`img[src^="/api/integrations/${id}/logo"]`).first();
    await logo.waitFor();
    await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(64);

    for (const pathname of [
      "/",
      "/integrations",
      `/integrations/${id}/edit`,
      "/pipeline-health",
      "/ledger",
      "/admin/audit-log",
      "/admin/members",
      "/admin/api-keys",
    ]) {
      const answer = await page.goto(pathname);
      expect(answer?.status(), pathname).toBe(200);
      await page.waitForLoadState("networkidle");
    }
    // The evidence panel (notes rendered from Lexical JSON) on the sync's page.
    await page.goto(`/integrations/${id}/syncs`);
    await page
      .getByRole("link", { name: /^Evidence for sync/ })
      .first()
      .click();
    await page.waitForURL(/\/syncs\/[0-9a-f-]{36}\/evidence/);
    await page.getByText("Quarterly access review signed off.").waitFor();
    await page.screenshot({ path: "/tmp/csp-shots/e2e-evidence-1280.png", fullPage: true });

    // A dialog at phone width: the navigation sheet.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/integrations");
    await page.getByRole("button", { name: "Open navigation" }).click();
    await page.getByRole("dialog").waitFor();
    await page.screenshot({ path: "/tmp/csp-shots/e2e-nav-390.png" });
    await page.keyboard.press("Escape");
    await page.goto(`/integrations/${id}/edit`);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Optional Configuration" }).waitFor();
    await page.screenshot({ path: "/tmp/csp-shots/e2e-edit-optional-390.png", fullPage: true });

    expect(problems).toEqual([]);

    // Served only to members of the tenant, as the type its bytes were checked to be.
    const src = await logo.count().then(() => `/api/integrations/${id}/logo`);
    const own = await fetch(`${baseUrl()}${src}`, { headers: { cookie: await cookieHeader(context) } });
    expect(own.status).toBe(200);
    expect(own.headers.get("content-type")).toBe("image/png");
    expect(own.headers.get("x-content-type-options")).toBe("nosniff");
    expect(own.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
    expect(Buffer.from(await own.arrayBuffer()).equals(pngImage(64, [16, 122, 87]))).toBe(true);
    const other = await signIn(browser, beta.users.admin);
    const foreign = await fetch(`${baseUrl()}${src}`, { headers: { cookie: await cookieHeader(other.context) } });
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain("PNG");
    const anonymous = await fetch(`${baseUrl()}${src}`);
    expect(anonymous.status).toBe(401);
    await other.context.close();
    await context.close();
  });
});
