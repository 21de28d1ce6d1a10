import { randomBytes } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { baseUrl, launch, signIn } from "./browser";

let browser: Browser;
const alpha = inject("tenantA");
const beta = inject("tenantB");

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** An admin invites an address on the Members page and copies the link shown once. */
async function invite(adminEmail: string, email: string, role: string): Promise<string> {
  const { context, page } = await signIn(browser, adminEmail);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl() });
  await page.goto("/admin/members");
  const form = page.locator("form").filter({ has: page.getByRole("button", { name: "Create invitation" }) });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption(role);
  await form.getByRole("button", { name: "Create invitation" }).click();
  await page.getByText(`Invitation created for ${email}`).waitFor();
  await page.getByRole("button", { name: "Copy link" }).click();
  await page.getByRole("button", { name: "Copied" }).waitFor();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(await page.getByTestId("invitation-link").textContent());
  // Pending, and not a member.
  await page.getByRole("table", { name: "Pending invitations" }).getByRole("cell", { name: email, exact: true }).waitFor();
  expect(await page.getByRole("table", { name: "Members" }).getByText(email).count()).toBe(0);
  await context.close();
  return link;
}

describe("invitations", () => {
  it("a new person opens the link, sets a password, signs in and lands in the inviting tenant", async () => {
    const email = `new-${randomBytes(4).toString("hex")}@elsewhere.test`;
    const link = await invite(alpha.users.admin, email, "auditor");
    expect(new URL(link).origin).toBe(baseUrl());

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(link);
    await page.getByRole("heading", { name: "Join Alpha Corp" }).waitFor();
    await page.getByText("You are invited to join Alpha Corp as auditor.").waitFor();
    await page.getByLabel("Password", { exact: true }).fill("too short");
    await page.getByLabel("Repeat the password").fill("too short");
    await page.getByRole("button", { name: "Create account and join" }).click();
    await page.getByText("Must be at least 12 characters.", { exact: true }).waitFor();

    const password = "a brand new password";
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByLabel("Repeat the password").fill(password);
    await page.getByRole("button", { name: "Create account and join" }).click();
    await page.waitForURL((u) => u.pathname === "/login");
    await page.getByText("Your account is ready. Sign in with your new password.").waitFor();

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    await expect.poll(() => page.getByRole("button", { name: "Switch tenant" }).textContent()).toContain("Alpha Corp");
    await page.getByText("auditor", { exact: true }).first().waitFor();

    // The link worked once.
    await page.goto(link);
    await page.getByText("This invitation to Alpha Corp has already been used; each link works once.").waitFor();
    await context.close();
  });

  it("an existing user must sign in as the invited address and accept; a new session opens in the tenant they used last", async () => {
    const invitee = beta.users.viewer;
    const link = await invite(alpha.users.admin, invitee, "operator");

    // Someone else signed in is turned away.
    const other = await signIn(browser, alpha.users.auditor);
    await other.page.goto(link);
    await other.page.getByRole("heading", { name: "This invitation is for another address" }).waitFor();
    expect(await other.page.getByRole("button", { name: /Accept/ }).count()).toBe(0);
    await other.context.close();

    const context = await browser.newContext({ baseURL: baseUrl() });
    const page = await context.newPage();
    await page.goto(link);
    await page.getByRole("link", { name: "Sign in to accept" }).click();
    await page.getByLabel("Email").fill(invitee);
    await page.getByLabel("Password").fill(inject("password"));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname.startsWith("/invite/"));
    await page.getByRole("button", { name: "Accept and join Alpha Corp" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    const current = (p = page) => p.getByRole("button", { name: "Switch tenant" }).textContent();
    await expect.poll(() => current()).toContain("Alpha Corp");

    // Back to Beta Ltd: though Alpha Corp comes first by name, the next session opens in Beta Ltd.
    await page.getByRole("button", { name: "Switch tenant" }).click();
    await page.getByRole("menuitem", { name: /Beta Ltd/ }).click();
    await expect.poll(() => current()).toContain("Beta Ltd");
    await context.close();
    const again = await signIn(browser, invitee);
    await expect.poll(() => current(again.page)).toContain("Beta Ltd");
    await again.context.close();
  });
});
