/**
 * Who is a platform administrator. Granting and removing are platform
 * actions, recorded in the platform audit log; the last active platform
 * administrator cannot be removed, or nobody could administer tenants.
 */
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/platform-admins";
import { authorizePlatform, type PlatformContext } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { recordPlatformAuditEvent } from "./audit";
import { platformAdminEmailSchema } from "./schemas";

export async function listPlatformAdmins(ctx: PlatformContext) {
  authorizePlatform(ctx);
  return queries.listPlatformAdmins(getDb());
}

export async function grantPlatformAdmin(ctx: PlatformContext, input: unknown) {
  authorizePlatform(ctx);
  const { email } = parseInput(platformAdminEmailSchema, input);
  return getDb().transaction(async (tx) => {
    const user = await queries.lockUserByEmail(tx, email);
    if (!user) {
      throw new AppError("not_found:user", `No user has the email ${email}. Invite them to a tenant first, then grant the role.`, {
        email: ["is not the email of an existing user"],
      });
    }
    if (!user.active) throw new AppError("conflict:user_inactive", `${user.email} is deactivated and cannot be a platform administrator.`);
    if (user.isPlatformAdmin) throw new AppError("conflict:already_platform_admin", `${user.email} is already a platform administrator.`);
    await queries.setPlatformAdmin(tx, user.id, true);
    await recordPlatformAuditEvent(tx, ctx, {
      entityType: "PlatformAdmin",
      action: "Grant",
      entityId: user.id,
      entityName: user.email,
      details: `Made ${user.email} a platform administrator`,
      before: { platformAdmin: false },
      after: { platformAdmin: true },
    });
    return { id: user.id, email: user.email };
  });
}

export async function removePlatformAdmin(ctx: PlatformContext, input: unknown) {
  authorizePlatform(ctx);
  const { email } = parseInput(platformAdminEmailSchema, input);
  return getDb().transaction(async (tx) => {
    // Locked first and in one order, so concurrent removals queue behind each other.
    const active = await queries.lockActivePlatformAdmins(tx);
    const user = await queries.lockUserByEmail(tx, email);
    if (!user?.isPlatformAdmin) {
      throw new AppError("not_found:platform_admin", `${email} is not a platform administrator.`, {
        email: ["is not a platform administrator"],
      });
    }
    if (active.length === 1 && active[0] === user.id) {
      const who = ctx.actor.id === user.id ? "You are" : `${user.email} is`;
      throw new AppError(
        "conflict:last_platform_admin",
        `${who} the last platform administrator. Grant the role to someone else first, so that tenants can still be administered.`,
      );
    }
    await queries.setPlatformAdmin(tx, user.id, false);
    await recordPlatformAuditEvent(tx, ctx, {
      entityType: "PlatformAdmin",
      action: "Remove",
      entityId: user.id,
      entityName: user.email,
      details: `Removed ${user.email} from the platform administrators`,
      before: { platformAdmin: true },
      after: { platformAdmin: false },
    });
    return { id: user.id, email: user.email };
  });
}
