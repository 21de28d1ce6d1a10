/**
 * The Synchronization Logs in the browser: an admin reads the list, opens a
 * task's View panel (operation log, parameters, request, response) and the
 * View Details panel of a successful account create (its bindings), and the
 * Confirm dialog refuses to confirm without a reason; an auditor reads the
 * same list without any button that changes a task; a viewer is refused.
 */
import fs from "node:fs";
import postgres from "postgres";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, signIn } from "./browser";

const SHOTS = "/tmp/shots-logs";
let browser: Browser;
let sql: postgres.Sql;
const alpha = inject("tenantA");

beforeAll(async () => {
  process.env.DATABASE_URL ??= inject("e2eDatabaseUrl");
  sql = postgres(inject("e2eDatabaseUrl"), { max: 1, onnotice: () => {} });
  const { userContext } = await import("@/lib/auth/context");
  const { createIntegration } = await import("@/lib/integrations/service");
  const { tenantUploadPrefix } = await import("@/lib/uploads/service");
  const { getObjectStore } = await import("@/lib/storage");
  const { updateProvisioningSettings } = await import("@/lib/provisioning/service");
  const { getDb } = await import("@/db/client");
  const { insertTask } = await import("@/db/queries/provisioning");
  const [admin] = await sql<{ id: string }[]>`select id::text from users where email = ${alpha.users.admin}`;
  const ctx = userContext({ tenantId: alpha.id, role: "admin", user: { id: admin.id, email: alpha.users.admin }, request: {} });
  const key = `${tenantUploadPrefix(alpha.id)}provisioning-e2e.csv`;
  await getObjectStore().put(key, "externalId,username\nu1,alice\n");
  const { integration } = await createIntegration(ctx, { name: "Provisioned HR", connector: "csv", config: { files: { accounts: key } } });
  await updateProvisioningSettings(ctx, { integrationId: integration.id, enabled: true, mode: "manual" });

  // Finished tasks as the workers leave them: written directly, so no worker picks them up while the test reads them.
  const base = {
    tenantId: alpha.id,
    integrationId: integration.id,
    source: "manual" as const,
    initiatorType: "user" as const,
    initiatorId: admin.id,
    initiatorName: alpha.users.admin,
    attempts: 1,
  };
  const at = (s: number) => new Date(Date.now() - 60_000 + s * 1000);
  await insertTask(getDb(), {
    ...base,
    objectType: "account",
    action: "create",
    objectKey: "alice.e2e",
    objectName: "alice.e2e",
    status: "success",
    outcome: "success",
    parameters: { attributes: { displayName: "Alice E2E" }, bindGroups: ["g-pay"] },
    request: { method: "POST", url: "https://hr.example.test/users", body: { username: "alice.e2e", displayName: "Alice E2E" } },
    response: { status: 201, body: { id: "hr-7731" } },
    bindings: { bound: [{ externalId: "g-pay", name: "Payments Approvers" }], unbound: [] },
    steps: [
      { at: at(0).toISOString(), message: `Queued by ${alpha.users.admin}` },
      { at: at(1).toISOString(), message: "Created the account hr-7731" },
    ],
    createdAt: at(0),
    startedAt: at(1),
    endedAt: at(2),
  });
  await insertTask(getDb(), {
    ...base,
    objectType: "account",
    action: "delete",
    objectKey: "bob.e2e",
    objectName: "bob.e2e",
    status: "failed",
    outcome: "failed",
    message: "The account is locked on the target",
    parameters: {},
    steps: [{ at: at(3).toISOString(), message: "The target refused: the account is locked", level: "error" }],
    createdAt: at(3),
    startedAt: at(3),
    endedAt: at(4),
  });
  browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sql?.end();
});

const row = (page: Page, text: string) => page.getByRole("row").filter({ hasText: text });

async function shots(page: Page, who: string) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/provisioning");
  await page.screenshot({ path: `${SHOTS}/${who}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await page.screenshot({ path: `${SHOTS}/${who}-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe("Synchronization Logs, end to end", () => {
  it("an admin reads the list, opens View and View Details, and cannot confirm without a reason", async () => {
    const { context, page } = await signIn(browser, alpha.users.admin);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto("/provisioning");
    await page.getByRole("heading", { name: "Synchronization Logs" }).waitFor();
    const alice = row(page, "alice.e2e");
    await alice.getByText("Success").waitFor();
    await alice.getByText("Provisioned HR").waitFor();
    const bob = row(page, "bob.e2e");
    await bob.getByText("Failed").waitFor();
    // View Details only on the successful account create; Confirm and Retry only on the failed task.
    expect(await bob.getByRole("link", { name: /^View details/ }).count()).toBe(0);
    expect(await alice.getByRole("button", { name: /^Confirm/ }).count()).toBe(0);

    await alice.getByRole("link", { name: "View Create alice.e2e" }).click();
    const panel = page.getByRole("dialog", { name: "Create alice.e2e" });
    await panel.getByRole("heading", { name: "Operation log" }).waitFor();
    await panel.getByText("Created the account hr-7731").waitFor();
    await panel.getByText("https://hr.example.test/users").waitFor();
    await panel.getByText('"id": "hr-7731"').waitFor();
    await panel.getByText("Status 201").waitFor();
    await page.keyboard.press("Escape");
    await page.waitForURL((u) => !u.searchParams.has("task"));

    await alice.getByRole("link", { name: "View details of Create alice.e2e" }).click();
    const details = page.getByRole("dialog", { name: "Create alice.e2e" });
    await details.getByText("Bound (1)").waitFor();
    await details.getByText("Payments Approvers").waitFor();
    await page.keyboard.press("Escape");
    await page.waitForURL((u) => !u.searchParams.has("task"));

    await bob.getByRole("button", { name: "Confirm Delete bob.e2e" }).click();
    const dialog = page.getByRole("dialog", { name: "Confirm “Delete bob.e2e”" });
    await dialog.getByRole("button", { name: "Confirm task" }).click();
    await dialog.getByText("Reason is required.").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    await row(page, "bob.e2e").getByText("Failed").waitFor();

    await shots(page, "admin");
    await context.close();
  });

  it("an auditor reads everything but gets no button that changes a task", async () => {
    const { context, page } = await signIn(browser, alpha.users.auditor);
    await page.goto("/provisioning");
    const bob = row(page, "bob.e2e");
    await bob.waitFor();
    await bob.getByRole("link", { name: "View Delete bob.e2e" }).waitFor();
    for (const name of [/^Confirm/, /^Cancel/]) expect(await page.getByRole("button", { name }).count()).toBe(0);
    expect(await page.getByRole("link", { name: /^Retry/ }).count()).toBe(0);
    await bob.getByRole("link", { name: "View Delete bob.e2e" }).click();
    await page.getByRole("dialog", { name: "Delete bob.e2e" }).getByText("The target refused: the account is locked").waitFor();
    // The retry panel is not served to a role that may not write, even by its address.
    const id = new URL(page.url()).searchParams.get("task")!;
    await page.goto(`/provisioning?task=${id}&panel=retry`);
    await page.getByRole("dialog", { name: "Delete bob.e2e" }).getByRole("heading", { name: "Operation log" }).waitFor();
    expect(await page.getByRole("button", { name: "Retry with these parameters" }).count()).toBe(0);
    await shots(page, "auditor");
    await context.close();
  });

  it("a viewer gets the access-denied page", async () => {
    const { context, page } = await signIn(browser, alpha.users.viewer);
    await page.goto("/provisioning");
    await page.getByRole("heading", { name: "Access denied" }).waitFor();
    expect(await page.getByText("Synchronization Logs").count()).toBe(0);
    expect(await page.getByRole("link", { name: "Provisioning" }).count()).toBe(0);
    await context.close();
  });
});
