/**
 * Campaigns in the browser: an auditor builds one from a filter while the
 * preview follows, lands on its Summary, opens View Sync Evidence, reads the
 * frozen filter and an integration's card, and downloads the captured
 * evidence file (its bytes match the recorded SHA-256, and the download is
 * audited). The routes serving the captured logo and files answer only the
 * campaign's tenant and the roles that may see them, and a file deleted from
 * storage afterwards is shown as missing with its recorded hash. Then the
 * reviewer decides every item in bulk and changes one, the auditor completes
 * the campaign and downloads the Audit Report: the PDF reads back with the
 * campaign's figures and the ZIP passes `ledger:verify-bundle` as downloaded.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { Readable } from "node:stream";
import postgres from "postgres";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { baseUrl, cookieHeader, launch, signIn } from "./browser";
import { pngImage } from "../helpers/images";

const run = promisify(execFile);

let browser: Browser;
const alpha = inject("tenantA");
const beta = inject("tenantB");
const ldap = inject("ldap");
let sql: postgres.Sql;

const EVIDENCE = Buffer.from(`%PDF-1.7\n% campaign evidence ${Date.now()}\n%%EOF\n`);
const EVIDENCE_SHA = createHash("sha256").update(EVIDENCE).digest("hex");
let evidenceKey = "";
let campaignId = "";

beforeAll(async () => {
  // The seeded app and this process share the database and object store; integrations are made through the services.
  process.env.DATABASE_URL ??= inject("e2eDatabaseUrl");
  sql = postgres(inject("e2eDatabaseUrl"), { max: 1, onnotice: () => {} });
  const { userContext } = await import("@/lib/auth/context");
  const { createIntegration } = await import("@/lib/integrations/service");
  const { receiveUpload, tenantUploadPrefix } = await import("@/lib/uploads/service");
  const { getObjectStore } = await import("@/lib/storage");
  const [admin] = await sql<{ id: string }[]>`select id::text from users where email = ${alpha.users.admin}`;
  const ctx = userContext({ tenantId: alpha.id, role: "admin", user: { id: admin.id, email: alpha.users.admin }, request: {} });
  const prefix = tenantUploadPrefix(alpha.id);
  const files = {
    accounts: `${prefix}campaign-e2e-accounts.csv`,
    groups: `${prefix}campaign-e2e-groups.csv`,
    memberships: `${prefix}campaign-e2e-memberships.csv`,
  };
  await getObjectStore().put(
    files.accounts,
    "externalId,username,displayName,status,department\n" +
      "u1,alice,Alice Adams,enabled,Finance\n" +
      "u2,bob,Bob Brown,disabled,Finance\n" +
      "u3,carol,Carol Clark,enabled,Sales\n",
  );
  await getObjectStore().put(files.groups, "externalId,name\ng1,Payments Approvers\ng2,Sales Team\n");
  await getObjectStore().put(files.memberships, "groupExternalId,memberExternalId\ng1,u1\ng1,u2\ng2,u3\n");
  const upload = (purpose: string, filename: string, bytes: Buffer) =>
    receiveUpload(ctx, { purpose, filename, contentLength: bytes.length, body: Readable.from([bytes]) });
  const logo = await upload("logo", "payroll.png", pngImage(32, [5, 150, 105]));
  const file = await upload("evidence", "access-export.pdf", EVIDENCE);
  const created = await createIntegration(ctx, {
    name: "Campaign Payroll",
    connector: "csv",
    config: { files },
    logoUploadId: logo.id,
    evidence: { notes: "Exported by the payroll team for the Q4 review.", uploadIds: [file.id] },
  });
  // An integration whose only sync fails: it has no completed sync to review.
  await createIntegration(ctx, { name: "Campaign Broken LDAP", connector: "ldap", config: { ...ldap, bindPassword: "not-the-password" } });
  for (let i = 0; i < 120; i++) {
    const rows = await sql<{ status: string }[]>`
      select s.status from sync_executions s join integrations i on i.id = s.integration_id
       where i.tenant_id = ${alpha.id} and i.name in ('Campaign Payroll', 'Campaign Broken LDAP')`;
    if (rows.length === 2 && rows.every((r) => !["queued", "syncing", "completed"].includes(r.status))) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const [stored] = await sql<{ key: string }[]>`
    select f.object_key as key from evidence_files f where f.sha256 = ${EVIDENCE_SHA}`;
  evidenceKey = stored.key;
  expect(created.sync).toBeTruthy();
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sql?.end();
});

async function status(context: BrowserContext, path: string): Promise<number> {
  const res = await fetch(`${baseUrl()}${path}`, { headers: { cookie: await cookieHeader(context) }, redirect: "manual" });
  return res.status;
}

describe("campaigns, end to end", () => {
  it("an auditor creates a campaign from a filter with a live preview, and reads and downloads its Sync Evidence", async () => {
    const { context, page } = await signIn(browser, alpha.users.auditor);
    await page.goto("/campaigns");
    await page.getByRole("link", { name: "New campaign" }).click();
    await page.waitForURL("**/campaigns/new");

    await page.getByLabel("Name").fill("Q4 payroll access review");
    await page.getByRole("checkbox", { name: /reviewer@alpha\.test/ }).check();
    await page.getByRole("checkbox", { name: /Campaign Payroll/ }).check();
    const total = page.getByTestId("preview-total");
    // Accounts and memberships by default: 3 accounts and 3 memberships.
    await expect.poll(() => total.textContent(), { timeout: 15_000 }).toBe("6");

    // Only enabled accounts: the CSV connector records "enabled" as active.
    await page.getByRole("button", { name: "Add condition" }).click();
    await page.getByLabel("Condition 1 value").fill("active");
    await expect.poll(() => total.textContent(), { timeout: 15_000 }).toBe("4");

    // An integration without a completed sync is named in red, and the campaign is refused.
    await page.getByRole("checkbox", { name: /Campaign Broken LDAP/ }).check();
    await page.getByText('"Campaign Broken LDAP" has no completed sync yet', { exact: false }).waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Create and start" }).click();
    await page.getByText(/The campaign cannot be created yet: "Campaign Broken LDAP" has no completed sync yet/).waitFor();
    expect(page.url()).toContain("/campaigns/new");
    await page.getByRole("checkbox", { name: /Campaign Broken LDAP/ }).uncheck();
    await expect.poll(() => page.getByText("has no completed sync yet").count(), { timeout: 15_000 }).toBe(0);

    await page.getByRole("button", { name: "Create and start" }).click();
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}\?created=1/, { timeout: 30_000 });
    campaignId = new URL(page.url()).pathname.split("/").pop()!;
    await page.getByRole("heading", { name: "Q4 payroll access review" }).waitFor();
    await page.getByText("Campaign created with 4 review items").waitFor();
    expect(await page.getByRole("table", { name: "Decisions" }).locator("tbody tr").count()).toBe(4);

    // View Sync Evidence sits beside Generate Audit Report.
    await page.getByRole("button", { name: "Generate Audit Report" }).waitFor();
    await page.getByRole("button", { name: "View Sync Evidence" }).click();
    const dialog = page.getByRole("dialog", { name: "Sync Evidence & Details at Campaign Creation" });
    await dialog.getByText("Campaign Creation Filter").waitFor();
    // The filter's lists start folded; unfolding the integrations names them beside their ids.
    await dialog.getByRole("button", { name: /"integrationIds"/ }).click();
    await dialog.getByText("(Campaign Payroll)").waitFor();
    await dialog.getByRole("button", { name: /"conditions"/ }).click();
    await dialog.getByRole("button", { name: /^item/ }).click();
    await dialog.getByText('"active"').waitFor();

    const card = dialog.getByTestId("sync-context-card");
    await card.getByRole("button", { name: /Campaign Payroll/ }).click();
    const region = card.getByRole("region", { name: "Campaign Payroll at campaign creation" });
    await region.getByText("Exported by the payroll team for the Q4 review.").waitFor();
    await region.getByText("No sync since").waitFor();
    await region.getByText(`SHA-256 ${EVIDENCE_SHA}`).waitFor();
    expect(await card.locator("img").getAttribute("src")).toBe(`/api/campaigns/${campaignId}/logos/0`);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      region.getByRole("link", { name: "Download access-export.pdf" }).click(),
    ]);
    const bytes = fs.readFileSync((await download.path())!);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(EVIDENCE_SHA);
    expect(download.suggestedFilename()).toBe("access-export.pdf");
    const audited = await sql<{ actor: string }[]>`
      select actor_name as actor from audit_events
       where tenant_id = ${alpha.id} and entity_type = 'Evidence' and action = 'Download'
         and details like ${`%Sync Context of campaign "Q4 payroll access review"%`}`;
    expect(audited.map((a) => a.actor)).toContain(alpha.users.auditor);
    await context.close();
  });

  it("the captured logo and files answer only the campaign's tenant and the roles that may read them", async () => {
    expect(campaignId).not.toBe("");
    const logo = `/api/campaigns/${campaignId}/logos/0`;
    const file = `/api/campaigns/${campaignId}/files/0/0`;

    const auditor = await signIn(browser, alpha.users.auditor);
    const logoRes = await fetch(`${baseUrl()}${logo}`, { headers: { cookie: await cookieHeader(auditor.context) } });
    expect(logoRes.status).toBe(200);
    expect(logoRes.headers.get("content-type")).toBe("image/png");
    expect(logoRes.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await status(auditor.context, file)).toBe(303);
    expect(await status(auditor.context, `/api/campaigns/${campaignId}/files/0/7`)).toBe(404);
    expect(await status(auditor.context, `/api/campaigns/${campaignId}/logos/x`)).toBe(404);
    await auditor.context.close();

    const other = await signIn(browser, beta.users.admin);
    expect(await status(other.context, logo)).toBe(404);
    expect(await status(other.context, file)).toBe(404);
    await other.context.close();

    const viewer = await signIn(browser, alpha.users.viewer);
    expect(await status(viewer.context, logo)).toBe(403);
    expect(await status(viewer.context, file)).toBe(403);
    await viewer.context.close();

    // The reviewer reads the campaign (their items are in it) but may not download evidence.
    const reviewer = await signIn(browser, alpha.users.reviewer);
    expect(await status(reviewer.context, logo)).toBe(200);
    expect(await status(reviewer.context, file)).toBe(403);
    await reviewer.page.goto("/campaigns");
    await reviewer.page.getByRole("link", { name: "Review my items in Q4 payroll access review" }).first().waitFor();
    await reviewer.page.goto(`/campaigns/${campaignId}`);
    await reviewer.page.getByRole("button", { name: "View Sync Evidence" }).click();
    const dialog = reviewer.page.getByRole("dialog");
    await dialog.getByRole("button", { name: /Campaign Payroll/ }).click();
    await dialog.getByText("Downloading evidence needs an admin, operator or auditor.").waitFor();
    expect(await dialog.getByRole("link", { name: /^Download/ }).count()).toBe(0);
    expect(await reviewer.page.getByRole("button", { name: "Generate Audit Report" }).count()).toBe(0);
    await reviewer.context.close();
  });

  it("an evidence file deleted from storage after creation is shown as missing, with its recorded hash", async () => {
    expect(campaignId).not.toBe("");
    const { getObjectStore } = await import("@/lib/storage");
    await getObjectStore().delete(evidenceKey);
    try {
      const { context, page } = await signIn(browser, alpha.users.auditor);
      await page.goto(`/campaigns/${campaignId}`);
      await page.getByRole("button", { name: "View Sync Evidence" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("button", { name: /Campaign Payroll/ }).click();
      await dialog.getByText(/Missing from storage/).waitFor();
      await dialog.getByText(`SHA-256 ${EVIDENCE_SHA}`).waitFor();
      expect(await dialog.getByRole("link", { name: /^Download/ }).count()).toBe(0);
      await context.close();
    } finally {
      // The same bytes back under the same key: the tenant's ledger, which other suites verify whole, is intact again.
      await getObjectStore().put(evidenceKey, EVIDENCE);
    }
  });

  it("the reviewer decides in bulk, the auditor completes the campaign and downloads an Audit Report that verifies", async () => {
    expect(campaignId).not.toBe("");
    const reviewer = await signIn(browser, alpha.users.reviewer);
    const rp = reviewer.page;
    await rp.setViewportSize({ width: 1280, height: 900 });
    await rp.goto(`/campaigns/${campaignId}/review`);
    await rp.getByRole("button", { name: "Approve all 4 matching" }).click();
    const approve = rp.getByRole("dialog");
    await approve.getByRole("textbox").fill("Reviewed with the payroll team");
    await approve.getByRole("button", { name: "Approve", exact: true }).click();
    await rp.getByRole("dialog").getByRole("button", { name: "Approve all" }).click();
    await rp.getByText("Approved 4 items").first().waitFor();
    // One decision changed: carol's account is revoked after all.
    await rp.goto(`/campaigns/${campaignId}/review?objectType=account&q=carol`);
    await rp.getByRole("button", { name: "Revoke carol", exact: true }).click();
    const revoke = rp.getByRole("dialog");
    await revoke.getByRole("textbox").fill("Moved to Sales; no payroll access");
    await revoke.getByRole("button", { name: "Revoke", exact: true }).click();
    await rp.getByText("Revoked 1 item").first().waitFor();
    await reviewer.context.close();

    const { context, page } = await signIn(browser, alpha.users.auditor);
    await page.goto(`/campaigns/${campaignId}`);
    await page.getByRole("button", { name: "Complete campaign" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Complete", exact: true }).click();
    await page.getByText("Completed", { exact: true }).first().waitFor();
    await expect
      .poll(async () => (await sql<{ status: string }[]>`select status from campaigns where id = ${campaignId}`)[0].status)
      .toBe("completed");

    const dir = fs.mkdtempSync(path.join(fs.realpathSync("/tmp"), "campaign-report-"));
    const downloadReport = async (item: RegExp) => {
      await page.getByRole("button", { name: "Generate Audit Report" }).click();
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("menuitem", { name: item }).click()]);
      const file = path.join(dir, download.suggestedFilename());
      await download.saveAs(file);
      return file;
    };
    const pdf = await downloadReport(/^PDF report/);
    const text = (await run("pdftotext", ["-layout", pdf, "-"], { maxBuffer: 64 * 1024 * 1024 })).stdout;
    expect(text).toContain("Q4 payroll access review");
    expect(text).toContain("4 review items: 3 approved, 1 revoked, 0 undecided.");
    expect(text).toContain("Moved to Sales; no payroll access");
    expect(text).toContain(EVIDENCE_SHA);

    const zip = await downloadReport(/^ZIP/);
    const verified = await run(
      path.resolve("node_modules/.bin/tsx"),
      ["--tsconfig", "tsconfig.scripts.json", "scripts/ledger-verify-bundle.ts", zip],
      { cwd: process.cwd(), env: { ...process.env } },
    ).catch((e: { stdout?: string; stderr?: string }) => {
      throw new Error(`ledger:verify-bundle refused the report:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    });
    expect(verified.stdout).toMatch(/^OK: /);
    expect(verified.stdout).toContain("sync-context.json is the Sync Context the campaign's ledger entry sealed");
    const generated = await sql<{ n: number }[]>`
      select count(*)::int as n from audit_events
       where tenant_id = ${alpha.id} and entity_type = 'Campaign' and action = 'GenerateReport' and entity_id = ${campaignId}`;
    expect(generated[0].n).toBe(2);
    await context.close();
  });
});
