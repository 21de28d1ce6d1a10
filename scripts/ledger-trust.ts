/**
 * npm run ledger:trust -- --tenant SLUG|ID
 * Prints the tenant's trust file: the log's note verifier key, the witnesses
 * (LEDGER_WITNESSES_FILE) and the quorum. An auditor keeps it from onboarding
 * and passes it to ledger:verify, ledger:verify-bundle and the API verify
 * (--trust FILE), which then trust no key or checkpoint the operator holds.
 */
import { parseArgs } from "node:util";
import { getDb } from "@/db/client";
import { getTenantBySlug } from "@/db/queries/tenants";
import { systemContext } from "@/lib/auth/context";
import { ledgerTrustFile } from "@/lib/ledger/service";
import { fail, runCli } from "./cli";

const { values } = parseArgs({ options: { tenant: { type: "string" } } });
if (!values.tenant) fail("usage: npm run ledger:trust -- --tenant SLUG|ID");

await runCli(async () => {
  const tenant = await getTenantBySlug(getDb(), values.tenant!).catch(() => null);
  const tenantId = tenant?.id ?? (/^[0-9a-f-]{36}$/i.test(values.tenant!) ? values.tenant! : fail(`no tenant "${values.tenant}"`));
  process.stdout.write(await ledgerTrustFile(systemContext(tenantId, "cli:ledger:trust")));
});
