/**
 * The Audit Report as a user gets it: the PDF read back with pdftotext, and
 * the ZIP downloaded through the API and verified by `ledger:verify-bundle`
 * as a child process, intact and tampered with.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { ZipArchive } from "archiver";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { GET as reportRoute } from "@/app/api/v1/campaigns/[id]/report/route";
import { getDb } from "@/db/client";
import { decideItems, listItems } from "@/lib/campaigns/review";
import { createCampaign } from "@/lib/campaigns/service";
import { generateCampaignReport } from "@/lib/campaigns/report/service";
import { createIntegration } from "@/lib/integrations/service";
import { getObjectStore } from "@/lib/storage";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { receiveUpload, tenantUploadPrefix } from "@/lib/uploads/service";
import { expectAuditRow, makeApiKeyCtx, makeTenant, type TestTenant, waitForSyncEnd } from "../helpers/factories";

const run = promisify(execFile);
const TSX = path.resolve("node_modules/.bin/tsx");

async function verifyCli(file: string) {
  const env = { ...process.env, LOG_LEVEL: "silent" };
  try {
    const { stdout, stderr } = await run(TSX, ["--tsconfig", "tsconfig.scripts.json", "scripts/ledger-verify-bundle.ts", file], {
      env,
      timeout: 120_000,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

async function pdfText(bytes: Buffer): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "report-pdf-"));
  const file = path.join(dir, "report.pdf");
  await writeFile(file, bytes);
  const { stdout } = await run("pdftotext", ["-layout", file, "-"], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function bytesOf(body: ReadableStream<Uint8Array> | null): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of Readable.fromWeb(body! as import("node:stream/web").ReadableStream<Uint8Array>)) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Every member of a ZIP, by name, in order. */
async function unzip(file: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (err, z) => (err || !z ? reject(err) : resolve(z))),
  );
  const out = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on("end", () => resolve());
    zip.on("error", reject);
    zip.on("entry", (entry: yauzl.Entry) =>
      zip.openReadStream(entry, async (err, stream) => {
        if (err || !stream) return reject(err);
        const chunks: Buffer[] = [];
        for await (const c of stream) chunks.push(c as Buffer);
        out.set(entry.fileName, Buffer.concat(chunks));
        zip.readEntry();
      }),
    );
    zip.readEntry();
  });
  return out;
}

async function rezip(file: string, members: Map<string, Buffer>) {
  const archive = new ZipArchive();
  const chunks: Buffer[] = [];
  archive.on("data", (c: Buffer) => chunks.push(c));
  for (const [name, bytes] of members) archive.append(bytes, { name });
  await archive.finalize();
  await writeFile(file, Buffer.concat(chunks));
}

/** The reviewer decides one account's item through the review service, as the queue does. */
async function decide(campaignId: string, externalId: string, decision: "approve" | "revoke", comment: string | null) {
  const { items } = await listItems(t.ctx("reviewer"), campaignId, { objectType: "account", q: externalId });
  const item = items.find((i) => i.externalId === externalId)!;
  await decideItems(t.ctx("reviewer"), campaignId, { itemIds: [item.id], decision, comment: comment ?? undefined });
}

let worker: Worker;
let t: TestTenant;
let other: TestTenant;
let campaignId: string;
const evidencePdf = Buffer.from("%PDF-1.7\n% quarterly HR access attestation\n%%EOF\n");
const evidenceSha = createHash("sha256").update(evidencePdf).digest("hex");
const REVOKE_COMMENT = "Left the company in October; access no longer needed";

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.1, heartbeatSeconds: 1 });
  [t, other] = await Promise.all([makeTenant(), makeTenant()]);
  const keys: Record<string, string> = {};
  const files = {
    accounts:
      "externalId,username,displayName,status\nu1,alice,Alice Adams,enabled\nu2,bob,Bob Brown,enabled\nu3,carol,Carol Clark,enabled\n",
    groups: "externalId,name\ng1,Payments Approvers\n",
    memberships: "groupExternalId,memberExternalId\ng1,u1\ng1,u2\n",
  };
  for (const [kind, content] of Object.entries(files)) {
    keys[kind] = `${tenantUploadPrefix(t.id)}hr-${kind}.csv`;
    await getObjectStore().put(keys[kind], content);
  }
  const upload = await receiveUpload(t.ctx("operator"), {
    purpose: "evidence",
    filename: "hr-attestation.pdf",
    contentLength: evidencePdf.length,
    body: Readable.from([evidencePdf]),
  });
  const hr = await createIntegration(t.ctx("admin"), {
    name: "HR Directory",
    connector: "csv",
    config: { files: keys },
    evidence: { notes: "Quarterly attestation signed by the **HR director**.", uploadIds: [upload.id] },
  });
  await waitForSyncEnd(t.id, hr.sync!.id);
  const created = await createCampaign(t.ctx("auditor"), {
    name: "Q4 HR access review",
    description: "Who may approve payments",
    dueDate: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
    reviewerMode: "members",
    reviewerIds: [t.users.reviewer.id],
    filter: { integrationIds: [hr.integration.id], entityTypes: ["account", "membership"], groups: [], conditions: [] },
    start: true,
  });
  campaignId = created.id;
  await decide(campaignId, "u1", "approve", "Still approves payments");
  await decide(campaignId, "u2", "approve", null);
  await decide(campaignId, "u3", "revoke", REVOKE_COMMENT);
}, 90_000);

afterAll(async () => {
  await worker?.stop();
});

describe("the Audit Report", () => {
  it("is a PDF whose text states the campaign, totals, Sync Context, decisions and the verified ledger checkpoint; generating it is audited", async () => {
    const report = await generateCampaignReport(t.ctx("auditor"), campaignId, { format: "pdf" });
    expect(report.contentType).toBe("application/pdf");
    expect(report.filename).toMatch(/^audit-report-q4-hr-access-review-\d{4}-\d{2}-\d{2}\.pdf$/);
    const text = await pdfText(await bytesOf(report.body));
    expect(text).toContain("Q4 HR access review");
    // 3 accounts + 2 memberships; 3 account decisions made.
    expect(text).toMatch(/5 review items: 2 approved, 1 revoked, 2 undecided\./);
    expect(text).toContain("HR Directory");
    expect(text).toContain(evidenceSha);
    expect(text).toContain("hr-attestation.pdf");
    expect(text).toContain("Quarterly attestation signed by the HR director.");
    expect(text.replace(/\s+/g, " ")).toContain(REVOKE_COMMENT);
    const [{ treeSize }] = await getDb().execute<{ treeSize: number }>(
      sql`select max(tree_size)::int as "treeSize" from ledger_checkpoints where tenant_id = ${t.id}`,
    );
    expect(text).toMatch(new RegExp(`Checkpoint tree size\\s+${treeSize}\\b`));
    expect(text).toMatch(/Verification: OK, verified at generation/);
    expect(text).toMatch(/Page 1 of \d+/);
    const audit = await expectAuditRow(t.id, "Campaign", "GenerateReport", "Q4 HR access review");
    expect(audit.details).toMatch(/\(PDF\).*verified$/);
  });

  it('streams a PDF of several pages that pdfinfo reads without warnings, each page saying "Page n of N" with N its page count', async () => {
    const accounts = Array.from({ length: 120 }, (_, i) => `p${i},payroll${i},Payroll Clerk ${i},enabled`).join("\n");
    const key = `${tenantUploadPrefix(t.id)}payroll-accounts.csv`;
    await getObjectStore().put(key, `externalId,username,displayName,status\n${accounts}\n`);
    const payroll = await createIntegration(t.ctx("admin"), { name: "Payroll", connector: "csv", config: { files: { accounts: key } } });
    await waitForSyncEnd(t.id, payroll.sync!.id);
    const campaign = await createCampaign(t.ctx("auditor"), {
      name: "Payroll clerks",
      dueDate: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
      reviewerMode: "members",
      reviewerIds: [t.users.reviewer.id],
      filter: { integrationIds: [payroll.integration.id], entityTypes: ["account"], groups: [], conditions: [] },
      start: true,
    });

    const report = await generateCampaignReport(t.ctx("auditor"), campaign.id, { format: "pdf" });
    const reader = report.body.getReader();
    const chunks: Buffer[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(Buffer.from(r.value));
    // The download starts with the first pages, before the last is laid out.
    expect(chunks[0].subarray(0, 5).toString()).toBe("%PDF-");
    expect(chunks[0].includes("%%EOF")).toBe(false);

    const dir = await mkdtemp(path.join(os.tmpdir(), "report-pdf-"));
    const file = path.join(dir, "report.pdf");
    await writeFile(file, Buffer.concat(chunks));
    const info = await run("pdfinfo", [file]);
    expect(info.stderr).toBe("");
    expect(info.stdout).toMatch(/^Title:\s+Audit Report: Payroll clerks$/m);
    expect(info.stdout).toMatch(/^Producer:\s+SyncLedger$/m);
    const pages = Number(/^Pages:\s+(\d+)$/m.exec(info.stdout)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(3);
    const text = await run("pdftotext", [file, "-"]);
    expect(text.stderr).toBe("");
    const perPage = text.stdout.split("\f").slice(0, pages);
    expect(perPage.map((page) => /Page (\d+) of (\d+)/.exec(page)?.slice(1).join(" of "))).toEqual(
      perPage.map((_, i) => `${i + 1} of ${pages}`),
    );
    expect(text.stdout).toContain("payroll119 (Payroll Clerk 119)");
  }, 60_000);

  it("is a ZIP, downloaded through the API, that ledger:verify-bundle verifies as is and refuses once sync-context.json is changed", async () => {
    const { secret } = await makeApiKeyCtx(t, ["campaigns:write"]);
    const res = await reportRoute(
      new Request(`http://localhost/api/v1/campaigns/${campaignId}/report?format=zip`, { headers: { authorization: `Bearer ${secret}` } }),
      { params: Promise.resolve({ id: campaignId }) },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename=.*\.zip/);
    const dir = await mkdtemp(path.join(os.tmpdir(), "report-zip-"));
    const file = path.join(dir, "report.zip");
    await writeFile(file, await bytesOf(res.body));

    const members = await unzip(file);
    expect([...members.keys()].sort()).toEqual(
      ["README.txt", "decisions.csv", "evidence-manifest.json", "proof-bundle.json", "report.pdf", "sync-context.json"].sort(),
    );
    const [{ snapshotHash }] = await getDb().execute<{ snapshotHash: string }>(
      sql`select snapshot_hash as "snapshotHash" from campaigns where id = ${campaignId}`,
    );
    expect(createHash("sha256").update(members.get("sync-context.json")!).digest("hex")).toBe(snapshotHash);
    const csv = members.get("decisions.csv")!.toString("utf8");
    expect(csv.split("\n")[0]).toContain("item_id,integration");
    expect(csv).toContain(REVOKE_COMMENT);
    expect(csv.trim().split("\n")).toHaveLength(1 + 5);
    expect(JSON.parse(members.get("evidence-manifest.json")!.toString()).integrations[0].files[0]).toMatchObject({
      name: "hr-attestation.pdf",
      sha256: evidenceSha,
    });
    const pdf = await pdfText(members.get("report.pdf")!);
    expect(pdf).toMatch(/Page 1 of \d+/);
    expect(pdf.replace(/\s+/g, " ")).toContain(REVOKE_COMMENT);
    await expectAuditRow(t.id, "Campaign", "GenerateReport");

    const ok = await verifyCli(file);
    expect(ok.out).toMatch(/^OK: 1 entry verified against checkpoint of tree size \d+/m);
    expect(ok.out).toContain("sync-context.json is the Sync Context the campaign's ledger entry sealed");
    expect(ok.code).toBe(0);

    // One byte of the campaign's name in the snapshot: still valid JSON, no longer what the ledger sealed.
    const snapshot = Buffer.from(members.get("sync-context.json")!);
    const at = snapshot.indexOf("Q4 HR access review");
    snapshot[at] = "X".charCodeAt(0);
    const tampered = path.join(dir, "tampered.zip");
    await rezip(tampered, new Map([...members, ["sync-context.json", snapshot]]));
    const bad = await verifyCli(tampered);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(
      /sync-context\.json: snapshot hash [0-9a-f]{64} differs from [0-9a-f]{64}, the Sync Context ledger entry \d+ recorded/,
    );
    expect(bad.out).toMatch(/^FAILED: 1 problem in /m);

    // Evidence files carried in the ZIP must match the sealed Sync Context by name as well as by hash.
    const withFile = path.join(dir, "with-file.zip");
    await rezip(withFile, new Map([...members, ["evidence/HR Directory/hr-attestation.pdf", evidencePdf]]));
    const good = await verifyCli(withFile);
    expect(good.out).toContain("evidence/HR Directory/hr-attestation.pdf: name and sha256 are listed");
    expect(good.code).toBe(0);
    const renamed = path.join(dir, "renamed.zip");
    await rezip(renamed, new Map([...members, ["evidence/HR Directory/other-name.pdf", evidencePdf]]));
    const wrongName = await verifyCli(renamed);
    expect(wrongName.code).toBe(1);
    expect(wrongName.out).toContain(`belongs to "hr-attestation.pdf" in the bundle, not "other-name.pdf"`);
  }, 120_000);

  it("is generated only by admins, auditors and keys with campaigns:write, and only for the caller's tenant", async () => {
    for (const role of ["reviewer", "operator", "viewer"] as const) {
      await expect(generateCampaignReport(t.ctx(role), campaignId, { format: "pdf" })).rejects.toMatchObject({
        code: "forbidden:campaigns:write",
      });
    }
    await expect(generateCampaignReport(other.ctx("admin"), campaignId, { format: "zip" })).rejects.toMatchObject({
      code: "not_found:campaign",
    });
    await expect(generateCampaignReport(t.ctx("admin"), campaignId, { format: "docx" })).rejects.toMatchObject({
      fieldErrors: { format: [expect.stringContaining("pdf or zip")] },
    });
    const readOnly = await makeApiKeyCtx(t, ["campaigns:read"]);
    const res = await reportRoute(
      new Request(`http://localhost/api/v1/campaigns/${campaignId}/report`, { headers: { authorization: `Bearer ${readOnly.secret}` } }),
      { params: Promise.resolve({ id: campaignId }) },
    );
    expect(res.status).toBe(403);
  });
});
