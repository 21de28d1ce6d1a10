/**
 * Tenant membership as admins manage it: invitations, role changes and
 * removal. Every change is audited. Admins never add a person directly;
 * membership begins when the invitee accepts (./invitations.ts).
 */
import "server-only";
import { getDb } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import * as invitationQueries from "@/db/queries/invitations";
import * as queries from "@/db/queries/members";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import {
  hashInvitationToken,
  INVITATION_TTL_MS,
  invitationLink,
  invitationStatus,
  invitationView,
  newInvitationToken,
} from "./invitation-tokens";
import { changeMemberRoleSchema, invitationIdSchema, inviteMemberSchema, removeMemberSchema } from "./schemas";

export async function listMembers(ctx: ServiceContext) {
  authorize(ctx, "members:read");
  return queries.listMembers(getDb(), ctx.tenantId);
}

/**
 * Invites an address to the tenant with a role. Nothing here looks at whether
 * the address has an account, so the answer (and the work done) is the same
 * either way: no admin learns who exists elsewhere, and nobody joins without
 * accepting. The link's token is returned once and only its hash is kept.
 */
export async function inviteMember(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "members:write");
  const data = parseInput(inviteMemberSchema, input);
  const token = newInvitationToken();
  const now = new Date();
  try {
    return await getDb().transaction(async (tx) => {
      // Membership of this tenant is no secret from its admins: they see the member list.
      if (await queries.isMemberByEmail(tx, ctx.tenantId, data.email)) {
        throw new AppError("conflict:member", `${data.email} is already a member of this tenant.`, {
          email: ["is already a member"],
        });
      }
      const replaced = await invitationQueries.lockOpenInvitationFor(tx, ctx.tenantId, data.email);
      if (replaced) {
        await invitationQueries.revokeInvitation(tx, ctx.tenantId, replaced.id, now);
        await recordAuditEvent(tx, ctx, {
          entityType: "Invitation",
          action: "Revoke",
          entityId: replaced.id,
          entityName: replaced.email,
          details: `Replaced the invitation of ${replaced.email} (${replaced.role}) with a new one`,
          before: { status: "pending", role: replaced.role },
          after: { status: "revoked" },
        });
      }
      const row = await invitationQueries.insertInvitation(tx, {
        tenantId: ctx.tenantId,
        email: data.email,
        role: data.role,
        tokenHash: hashInvitationToken(token),
        invitedById: ctx.actor.type === "user" ? ctx.actor.id : null,
        invitedByName: ctx.actor.name,
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
      });
      await recordAuditEvent(tx, ctx, {
        entityType: "Invitation",
        action: "Create",
        entityId: row.id,
        entityName: row.email,
        details: `Invited ${row.email} as ${row.role}`,
        after: { email: row.email, role: row.role, expiresAt: row.expiresAt.toISOString() },
      });
      return { invitation: invitationView(row), link: invitationLink(token) };
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new AppError("conflict:invitation", `${data.email} was invited by someone else just now; reload to see it.`);
    }
    throw e;
  }
}

/** Invitations not yet accepted or revoked (expired ones too, so they can be cleared or renewed). */
export async function listInvitations(ctx: ServiceContext) {
  authorize(ctx, "members:read");
  return (await invitationQueries.listOpenInvitations(getDb(), ctx.tenantId)).map(invitationView);
}

export async function revokeInvitation(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "members:write");
  const { id } = parseInput(invitationIdSchema, input);
  return getDb().transaction(async (tx) => {
    const before = await invitationQueries.getInvitation(tx, ctx.tenantId, id);
    if (!before) throw new AppError("not_found:invitation", "No such invitation in this tenant.");
    const status = invitationStatus(before);
    if (status === "accepted" || status === "revoked") {
      throw new AppError(`conflict:invitation_${status}`, `The invitation of ${before.email} was already ${status}.`);
    }
    const after = await invitationQueries.revokeInvitation(tx, ctx.tenantId, id, new Date());
    await recordAuditEvent(tx, ctx, {
      entityType: "Invitation",
      action: "Revoke",
      entityId: id,
      entityName: before.email,
      details: `Revoked the invitation of ${before.email} (${before.role})`,
      before: { status },
      after: { status: "revoked" },
    });
    return invitationView(after!);
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
