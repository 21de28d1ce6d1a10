/**
 * npm run apikey:create -- --tenant acme --name "CI" --scopes audit_log:read,integrations:read [--expires 2027-01-01]
 * Prints a new API key once; only its hash is stored. Audited as ApiKey Create.
 */
import { parseArgs } from "node:util";
import { getDb } from "@/db/client";
import { getTenantBySlug } from "@/db/queries/tenants";
import { createApiKey } from "@/lib/api-keys/service";
import { systemContext } from "@/lib/auth/context";
import { fail, runCli } from "./cli";

const { values } = parseArgs({
  options: {
    tenant: { type: "string" },
    name: { type: "string" },
    scopes: { type: "string" },
    expires: { type: "string" },
  },
});
if (!values.tenant || !values.name || !values.scopes) {
  fail("usage: npm run apikey:create -- --tenant SLUG --name NAME --scopes scope1,scope2 [--expires YYYY-MM-DD]");
}

await runCli(async () => {
  const tenant = await getTenantBySlug(getDb(), values.tenant!);
  if (!tenant) fail(`no tenant with slug "${values.tenant}"`);
  const { apiKey, secret } = await createApiKey(systemContext(tenant.id, "cli:apikey:create"), {
    name: values.name,
    scopes: values.scopes,
    expiresAt: values.expires,
  });
  console.log(`Created API key "${apiKey.name}" (${apiKey.prefix}…) with scopes ${apiKey.scopes.join(", ")}.`);
  console.log(secret);
});
