/** Tenant membership: who belongs to a tenant and with which role. Every change is audited. */
import "server-only";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/members";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { hashPassword } from "@/lib/auth/password";
import { recordAuditEvent } from "@/lib/audit/service";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { addMemberSchema, changeMemberRoleSchema, removeMemberSchema } from "./schemas";

export async function listMembers(ctx: ServiceContext) {
  authorize(ctx, "members:read");
  return queries.listMembers(getDb(), ctx.tenantId);
}

export async function addMember(ctx: ServiceContext, input: unknown) {
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

export async function changeMemberRole(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "members:write");
  const data = parseInput(changeMemberRoleSchema, input);
  return getDb().transaction(async (tx) => {
    const member = await queries.getMember(tx, ctx.tenantId, data.membershipId);
    if (!member) throw new AppError("not_found:member", "No such member in this tenant.");
    if (member.role === data.role) return member;
    if (member.role === "admin" && (await queries.countAdmins(tx, ctx.tenantId)) <= 1) {
      throw new AppError("conflict:last_admin", "A tenant must keep at least one admin.");
    }
    await queries.updateMembershipRole(tx, ctx.tenantId, member.id, data.role);
    // Their sessions carry the old role: end them, so the next request signs in afresh.
    await queries.bumpSessionVersion(tx, member.userId);
    await recordAuditEvent(tx, ctx, {
      entityType: "Member",
      action: "ChangeRole",
      entityId: member.id,
      entityName: member.email,
      details: `Changed ${member.email} from ${member.role} to ${data.role}`,
      before: { role: member.role },
      after: { role: data.role },
    });
    return { ...member, role: data.role };
  });
}

export async function removeMember(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "members:write");
  const data = parseInput(removeMemberSchema, input);
  return getDb().transaction(async (tx) => {
    const member = await queries.getMember(tx, ctx.tenantId, data.membershipId);
    if (!member) throw new AppError("not_found:member", "No such member in this tenant.");
    if (member.role === "admin" && (await queries.countAdmins(tx, ctx.tenantId)) <= 1) {
      throw new AppError("conflict:last_admin", "A tenant must keep at least one admin.");
    }
    await queries.deleteMembership(tx, ctx.tenantId, member.id);
    // A removed member's open sessions end now, not when their cookie expires.
    await queries.bumpSessionVersion(tx, member.userId);
    await recordAuditEvent(tx, ctx, {
      entityType: "Member",
      action: "Remove",
      entityId: member.id,
      entityName: member.email,
      details: `Removed ${member.email} (${member.role})`,
      before: { email: member.email, role: member.role },
    });
  });
}
