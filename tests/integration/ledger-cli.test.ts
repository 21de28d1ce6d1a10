/** The ledger command-line tools, run as a user would: against the database and store, and offline on a bundle. */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { createIntegration } from "@/lib/integrations/service";
import { evidenceProofBundle } from "@/lib/ledger/service";
import { receiveUpload } from "@/lib/uploads/service";
import { getEvidenceForSync } from "@/lib/evidence/service";
import { makeTenant } from "../helpers/factories";

const run = promisify(execFile);
const TSX = path.resolve("node_modules/.bin/tsx");

async function cli(script: string, args: string[]) {
  const env = { ...process.env, DATABASE_MIGRATION_URL: inject("ownerDatabaseUrl"), ENCRYPTION_KEY: "ab".repeat(32), LOG_LEVEL: "silent" };
  try {
    const { stdout, stderr } = await run(TSX, ["--tsconfig", "tsconfig.scripts.json", script, ...args], { env, timeout: 120_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("ledger command-line tools", () => {
  it("ledger:verify passes an intact tenant and exits non-zero naming the first bad entry; ledger:verify-bundle works offline", async () => {
    const t = await makeTenant();
    const csv = Buffer.from("externalId,username\n1,a\n");
    const source = await receiveUpload(t.ctx("operator"), {
      purpose: "csv",
      filename: "a.csv",
      contentLength: csv.length,
      body: Readable.from([csv]),
    });
    const pdf = Buffer.from("%PDF-1.7\n%%EOF\n");
    const file = await receiveUpload(t.ctx("operator"), {
      purpose: "evidence",
      filename: "proof.pdf",
      contentLength: pdf.length,
      body: Readable.from([pdf]),
    });
    const { sync } = await createIntegration(t.ctx("operator"), {
      name: "CLI",
      connector: "csv",
      config: { files: { accounts: source.key } },
      evidence: { notes: "Checked by the CLI", uploadIds: [file.id] },
    });

    const ok = await cli("scripts/ledger-verify.ts", ["--tenant", t.slug]);
    expect(ok.out).toMatch(/^OK: \d+ entries, 1 evidence files/m);
    expect(ok.code).toBe(0);

    const evidence = (await getEvidenceForSync(t.ctx("auditor"), sync!.id))!;
    const bundle = await evidenceProofBundle(t.ctx("auditor"), evidence.id);
    const dir = await mkdtemp(path.join(os.tmpdir(), "bundle-"));
    const bundleFile = path.join(dir, "proof.json");
    await writeFile(bundleFile, JSON.stringify(bundle));
    const pdfFile = path.join(dir, "proof.pdf");
    await writeFile(pdfFile, pdf);
    const offline = await cli("scripts/ledger-verify-bundle.ts", [bundleFile, "--file", pdfFile]);
    expect(offline.out).toMatch(/^OK: 1 entry verified against checkpoint/m);
    expect(offline.code).toBe(0);
    const tampered = JSON.parse(await readFile(bundleFile, "utf8"));
    tampered.entries[0].record.notes = null;
    await writeFile(bundleFile, JSON.stringify(tampered));
    expect((await cli("scripts/ledger-verify-bundle.ts", [bundleFile])).code).toBe(1);

    const owner = postgres(inject("ownerDatabaseUrl"), { max: 1, onnotice: () => {} });
    try {
      await owner.begin(async (tx) => {
        await tx.unsafe("alter table ledger_entries disable trigger user");
        await tx`delete from ledger_entries where tenant_id = ${t.id} and seq = 2`;
        await tx.unsafe("alter table ledger_entries enable trigger user");
      });
    } finally {
      await owner.end();
    }
    const bad = await cli("scripts/ledger-verify.ts", ["--tenant", t.slug]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/FAILED: .*\n\s+entry 2: entries 2–2 are missing/);
  }, 120_000);
});
