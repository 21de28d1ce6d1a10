/**
 * Switching tenants: the browser asks next-auth to update its session
 * (`useSession().update({ tenantId })`), and next-auth's `jwt` callback passes
 * the request here. The tenant id comes from the browser, so it is only a
 * wish: the user's memberships are read from the database and the session
 * changes only to a tenant they belong to, with the role stored there.
 * Anything else leaves the token as it was, and the browser tells the user.
 */
import "server-only";
import type { JWT } from "next-auth/jwt";
import { z } from "zod";
import { chooseTenant, isSessionCurrent } from "./login";

export const switchTenantSchema = z.object({ tenantId: z.uuid("is not a valid tenant id") });
export type SwitchTenantInput = z.infer<typeof switchTenantSchema>;

export async function switchedTenantToken(token: JWT, requested: unknown): Promise<JWT> {
  const parsed = switchTenantSchema.safeParse(requested);
  if (!parsed.success || !token.userId) return token;
  // A cookie from before a sign-out or role change cannot be refreshed into a current one.
  if (!(await isSessionCurrent(token.userId, token.sessionVersion))) return token;
  // chooseTenant also makes it the tenant the user's next session opens in.
  const target = await chooseTenant(token.userId, parsed.data.tenantId).catch(() => null);
  if (!target) return token;
  return { ...token, tenantId: target.id, role: target.role };
}
