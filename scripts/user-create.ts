/**
 * npm run user:create -- --email a@b.c --role admin --tenant acme [--name "A B"] [--password …] [--platform-admin]
 * Creates a user (or adds an existing one) as a member of a tenant. Audited as Member Add
 * (and Platform Admin Grant in the platform log with --platform-admin).
 * Without --password a password is generated and printed once.
 */
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { getDb } from "@/db/client";
import { getUserByEmail } from "@/db/queries/members";
import { getTenantBySlug } from "@/db/queries/tenants";
import { actingInTenant, platformContext } from "@/lib/auth/context";
import { addMemberDirectly } from "@/lib/members/internal";
import { grantPlatformAdmin } from "@/lib/platform/admins";
import { createTenant } from "@/lib/tenants/service";
import { fail, runCli } from "./cli";

const { values } = parseArgs({
  options: {
    email: { type: "string" },
    role: { type: "string" },
    tenant: { type: "string" },
    name: { type: "string" },
    password: { type: "string" },
    "platform-admin": { type: "boolean", default: false },
    "create-tenant": { type: "string" },
  },
});
if (!values.email || !values.role || !values.tenant) {
  fail(
    'usage: npm run user:create -- --email EMAIL --role ROLE --tenant SLUG [--name NAME] [--password PW] [--platform-admin] [--create-tenant "Tenant Name"]',
  );
}

await runCli(async () => {
  const system = platformContext({ type: "system", name: "cli:user:create" });
  let tenant = await getTenantBySlug(getDb(), values.tenant!);
  if (!tenant && values["create-tenant"]) {
    tenant = await createTenant(system, { name: values["create-tenant"], slug: values.tenant });
    console.log(`Created tenant ${tenant.slug}.`);
  }
  if (!tenant) fail(`no tenant with slug "${values.tenant}" (add --create-tenant "Name" to create it)`);
  const existing = await getUserByEmail(getDb(), values.email!);
  const password = existing ? undefined : (values.password ?? randomBytes(12).toString("base64url"));
  await addMemberDirectly(actingInTenant(system, tenant.id), {
    email: values.email,
    name: values.name,
    role: values.role,
    password,
  });
  const user = await getUserByEmail(getDb(), values.email!);
  // Recorded in the platform audit log like a grant made on the Tenants page.
  if (values["platform-admin"] && user && !user.isPlatformAdmin) await grantPlatformAdmin(system, { email: user.email });
  console.log(`Added ${values.email} to ${tenant.slug} as ${values.role}.`);
  if (password && !values.password) console.log(`Password (shown once): ${password}`);
});
