/**
 * Adding a person to a tenant directly, without their consent: for the demo
 * seed, the operator's `npm run user:create` and test fixtures only. Nothing a
 * tenant or platform admin can reach calls this; they invite (./service.ts).
 */
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/members";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { hashPassword } from "@/lib/auth/password";
import { recordAuditEvent } from "@/lib/audit/service";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { addMemberSchema } from "./schemas";

export async function addMemberDirectly(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "members:write");
  const data = parseInput(addMemberSchema, input);
  const existing = await queries.getUserByEmail(getDb(), data.email);
  if (!existing && !data.password && !getConfig().OIDC_ISSUER) {
    throw new AppError("unprocessable:validation", "password: is required for a new user", {
      password: ["is required for a new user"],
    });
  }
  const passwordHash = !existing && data.password ? await hashPassword(data.password) : null;
  return getDb().transaction(async (tx) => {
    const user =
      (await queries.getUserByEmail(tx, data.email)) ??
      (await queries.insertUser(tx, { email: data.email, name: data.name ?? data.email.split("@")[0], passwordHash }));
    if (await queries.getMembership(tx, ctx.tenantId, user.id)) {
      throw new AppError("conflict:member", `${data.email} is already a member of this tenant.`, {
        email: ["is already a member"],
      });
    }
    const membership = await queries.insertMembership(tx, { tenantId: ctx.tenantId, userId: user.id, role: data.role });
    await recordAuditEvent(tx, ctx, {
      entityType: "Member",
      action: "Add",
      entityId: membership.id,
      entityName: user.email,
      details: `Added ${user.email} as ${data.role}`,
      after: { email: user.email, role: data.role },
    });
    return { ...membership, email: user.email };
  });
}
