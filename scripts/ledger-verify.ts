/**
 * npm run ledger:verify -- --tenant SLUG|ID [--no-files] [--trust FILE]
 * Verifies a tenant's ledger against the database and the object store and
 * prints every problem, the first bad entry first. With --trust (a trust file
 * from npm run ledger:trust) only the pinned log key, the keys it rotated to
 * and the pinned witnesses are trusted. Exit code 1 when anything
 * does not verify, 2 on a usage error. Audited as Ledger Verify.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { getDb } from "@/db/client";
import { getTenantBySlug } from "@/db/queries/tenants";
import { systemContext } from "@/lib/auth/context";
import { verifyLedger } from "@/lib/ledger/service";
import { fail, runCli } from "./cli";

const { values } = parseArgs({ options: { tenant: { type: "string" }, "no-files": { type: "boolean" }, trust: { type: "string" } } });
if (!values.tenant) fail("usage: npm run ledger:verify -- --tenant SLUG|ID [--no-files] [--trust FILE]");
let trust: string | undefined;
if (values.trust) {
  try {
    trust = readFileSync(values.trust, "utf8");
  } catch (e) {
    fail(`cannot read the trust file ${values.trust}: ${(e as Error).message}`);
  }
}

await runCli(async () => {
  const tenant = await getTenantBySlug(getDb(), values.tenant!).catch(() => null);
  const tenantId = tenant?.id ?? (/^[0-9a-f-]{36}$/i.test(values.tenant!) ? values.tenant! : fail(`no tenant "${values.tenant}"`));
  const ctx = systemContext(tenantId, "cli:ledger:verify");
  let last = 0;
  const result = await verifyLedger(ctx, {
    files: !values["no-files"],
    trust,
    onProgress: (done, total) => {
      if (done - last >= 100_000 || done === total) {
        last = done;
        console.error(`  ${done.toLocaleString("en")} / ${total.toLocaleString("en")} entries`);
      }
    },
  });
  const cp = result.checkpoint
    ? `checkpoint of tree size ${result.checkpoint.treeSize} signed by key ${result.checkpoint.keyId}`
    : "no checkpoint yet";
  if (result.ok) {
    console.log(
      `OK: ${result.entries} entries, ${result.filesChecked} evidence files and ${cp} verified${trust ? " against the trust file" : ""} in ${(result.durationMs / 1000).toFixed(1)} s`,
    );
    return;
  }
  console.log(`FAILED: ${result.problems.length} problem(s) in ${result.entries} entries (${cp})`);
  for (const p of result.problems) {
    const where = p.seq !== undefined ? `entry ${p.seq}: ` : p.checkpoint !== undefined ? `checkpoint ${p.checkpoint}: ` : "";
    console.log(`  ${where}${p.reason}`);
  }
  throw new Error("the ledger did not verify");
});
