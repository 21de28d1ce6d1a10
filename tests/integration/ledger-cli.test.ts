/** The ledger command-line tools, run as a user would: against the database and store, and offline on a bundle. */
import { execFile } from "node:child_process";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { evidenceProofBundle } from "@/lib/ledger/service";
import { getDb } from "@/db/client";
import { resetConfigCache } from "@/lib/config";
import { sealTenant, writeCheckpoint } from "@/lib/ledger/chain";
import { createWitnessServer, openWitness } from "@/lib/ledger/witness-server";
import { witnessCheckpoints } from "@/lib/ledger/witnessing";
import { getObjectStore } from "@/lib/storage";
import { makeIntegrationWithEvidence, makeTenant } from "../helpers/factories";

const run = promisify(execFile);
const TSX = path.resolve("node_modules/.bin/tsx");

async function cli(script: string, args: string[], extraEnv: Record<string, string> = {}) {
  const env = {
    ...process.env,
    DATABASE_MIGRATION_URL: inject("ownerDatabaseUrl"),
    ENCRYPTION_KEY: "ab".repeat(32),
    LOG_LEVEL: "silent",
    ...extraEnv,
  };
  try {
    const { stdout, stderr } = await run(TSX, ["--tsconfig", "tsconfig.scripts.json", script, ...args], { env, timeout: 120_000 });
    return { code: 0, out: stdout + stderr, stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ""}${e.stderr ?? ""}`, stdout: e.stdout ?? "" };
  }
}

describe("ledger command-line tools", () => {
  it("ledger:verify passes an intact tenant and exits non-zero naming the first bad entry; ledger:verify-bundle works offline", async () => {
    const t = await makeTenant();
    const { evidence, pdf } = await makeIntegrationWithEvidence(t, { name: "CLI", notes: "Checked by the CLI" });

    const ok = await cli("scripts/ledger-verify.ts", ["--tenant", t.slug]);
    expect(ok.out).toMatch(/^OK: \d+ entries, 1 evidence files/m);
    expect(ok.code).toBe(0);

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

  it("ledger:trust prints the trust file; ledger:verify and ledger:verify-bundle with --trust pass an intact ledger and name what was changed", async () => {
    const witnessDir = await mkdtemp(path.join(os.tmpdir(), "cli-witness-"));
    const witness = await openWitness(witnessDir, { name: "auditor.example/cli-witness" });
    const server = createWitnessServer(witness);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const witnessesFile = path.join(witnessDir, "witnesses.txt");
    await writeFile(witnessesFile, `http://127.0.0.1:${(server.address() as AddressInfo).port} ${witness.verifierKey}\n`);
    // One origin host for this process and the CLI's, which would otherwise take it from its own NEXTAUTH_URL.
    const witnessEnv = { LEDGER_WITNESSES_FILE: witnessesFile, LEDGER_WITNESS_QUORUM: "1", LEDGER_ORIGIN_HOST: "ledger.test" };
    Object.assign(process.env, witnessEnv);
    resetConfigCache();
    try {
      const t = await makeTenant();
      const printed = await cli("scripts/ledger-trust.ts", ["--tenant", t.slug], witnessEnv);
      expect(printed.code).toBe(0);
      expect(printed.stdout).toMatch(
        new RegExp(
          `^# SyncLedger trust file for \\S+/ledger/${t.slug}\nlog \\S+/ledger/${t.slug}\\+[0-9a-f]{8}\\+\\S+\nwitness http://127.0.0.1:\\d+ auditor.example/cli-witness\\+[0-9a-f]{8}\\+\\S+\nquorum 1\n$`,
        ),
      );
      const dir = await mkdtemp(path.join(os.tmpdir(), "trust-"));
      const trustFile = path.join(dir, "trust.txt");
      await writeFile(trustFile, printed.stdout);
      await writeFile(path.join(witnessDir, "logs"), `${printed.stdout.split("\n")[1].slice(4)}\n`);

      const { evidence, pdf } = await makeIntegrationWithEvidence(t, { name: "CLI", notes: "Checked" });
      await sealTenant(getDb(), t.id);
      const cp = (await writeCheckpoint(getDb(), t.id))!;
      await witnessCheckpoints(getDb());

      const ok = await cli("scripts/ledger-verify.ts", ["--tenant", t.slug, "--trust", trustFile], witnessEnv);
      expect(ok.out).toMatch(
        /^OK: \d+ entries, 1 evidence files and checkpoint of tree size \d+ signed by key [0-9a-f]{16} verified against the trust file/m,
      );
      expect(ok.code).toBe(0);

      const bundleFile = path.join(dir, "proof.json");
      await writeFile(bundleFile, JSON.stringify(await evidenceProofBundle(t.ctx("auditor"), evidence.id)));
      await writeFile(path.join(dir, "proof.pdf"), pdf);
      const offline = await cli("scripts/ledger-verify-bundle.ts", [
        bundleFile,
        "--trust",
        trustFile,
        "--file",
        path.join(dir, "proof.pdf"),
      ]);
      expect(offline.out).toMatch(/^OK: 1 entry verified against checkpoint .* \(trusted\)/m);
      expect(offline.code).toBe(0);
      await writeFile(path.join(dir, "approved.pdf"), pdf);
      const renamed = await cli("scripts/ledger-verify-bundle.ts", [
        bundleFile,
        "--trust",
        trustFile,
        "--file",
        path.join(dir, "approved.pdf"),
      ]);
      expect(renamed.out).toMatch(/belongs to "proof.pdf" in the bundle, not "approved.pdf"/);
      expect(renamed.code).toBe(1);

      const key = `tenants/${t.id}/ledger/checkpoints/${String(cp.treeSize).padStart(12, "0")}.note`;
      await getObjectStore().put(key, "forged\n\n\u2014 nobody AAAA\n");
      const bad = await cli("scripts/ledger-verify.ts", ["--tenant", t.slug, "--trust", trustFile], witnessEnv);
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(
        new RegExp(
          `FAILED: .*\n\\s+checkpoint ${cp.treeSize}: the signed note of checkpoint ${cp.treeSize} does not verify with the pinned key`,
        ),
      );
    } finally {
      for (const k of Object.keys(witnessEnv)) delete process.env[k];
      resetConfigCache();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 180_000);
});
