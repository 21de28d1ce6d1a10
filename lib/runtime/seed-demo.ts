/** The demo tenant and one user per role, seeded on first start of the embedded database only. */
import "server-only";
import { randomBytes } from "node:crypto";
import { getDb } from "@/db/client";
import { listTenants } from "@/db/queries/tenants";
import { actingInTenant, platformContext } from "@/lib/auth/context";
import { ROLES } from "@/lib/auth/permissions";
import { addMemberDirectly } from "@/lib/members/internal";
import { grantPlatformAdmin } from "@/lib/platform/admins";
import { createTenant } from "@/lib/tenants/service";

export const DEMO_TENANT_SLUG = "demo";

/** Seeds when the database has no tenant yet. Returns the password used, or null when nothing was seeded. */
export async function seedDemoIfEmpty(demoPassword: string | undefined) {
  if ((await listTenants(getDb())).length > 0) return null;
  const password = demoPassword ?? randomBytes(9).toString("base64url");
  const system = platformContext({ type: "system", name: "system:seed" });
  const tenant = await createTenant(system, { name: "Demo", slug: DEMO_TENANT_SLUG });
  const ctx = actingInTenant(system, tenant.id);
  for (const role of ROLES) {
    await addMemberDirectly(ctx, { email: `${role}@demo.test`, name: `Demo ${role}`, role, password });
  }
  await grantPlatformAdmin(system, { email: "admin@demo.test" });
  return { password, generated: !demoPassword };
}
