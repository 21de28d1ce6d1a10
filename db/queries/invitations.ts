/** Data access for invitations to a tenant. The link's token is never stored, only its hash. */
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Executor } from "../client";
import { invitations, tenants } from "../schema";

export type InvitationRow = typeof invitations.$inferSelect;

const open = and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt));

export async function insertInvitation(db: Executor, values: typeof invitations.$inferInsert) {
  const [row] = await db.insert(invitations).values(values).returning();
  return row;
}

/** Invitations neither accepted nor revoked, expired ones included, newest first. */
export async function listOpenInvitations(db: Executor, tenantId: string) {
  return db
    .select()
    .from(invitations)
    .where(and(eq(invitations.tenantId, tenantId), open))
    .orderBy(desc(invitations.createdAt));
}

export async function getInvitation(db: Executor, tenantId: string, id: string) {
  const [row] = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.tenantId, tenantId), eq(invitations.id, id)));
  return row ?? null;
}

/** The open invitation of an address to a tenant, locked against a concurrent replacement. */
export async function lockOpenInvitationFor(db: Executor, tenantId: string, email: string) {
  const [row] = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.tenantId, tenantId), eq(invitations.email, email), open))
    .for("update");
  return row ?? null;
}

/**
 * The invitation a link names, with its tenant. `lock` holds the row until the
 * transaction ends, so two tabs accepting the same link cannot both succeed.
 */
export async function findInvitationByTokenHash(db: Executor, tokenHash: string, lock = false) {
  const query = db
    .select({ invitation: invitations, tenantName: tenants.name, tenantActive: tenants.active })
    .from(invitations)
    .innerJoin(tenants, eq(tenants.id, invitations.tenantId))
    .where(eq(invitations.tokenHash, tokenHash));
  const [row] = lock ? await query.for("update", { of: invitations }) : await query;
  return row ?? null;
}

export async function revokeInvitation(db: Executor, tenantId: string, id: string, at: Date) {
  const [row] = await db
    .update(invitations)
    .set({ revokedAt: at })
    .where(and(eq(invitations.tenantId, tenantId), eq(invitations.id, id), open))
    .returning();
  return row ?? null;
}

export async function markInvitationAccepted(db: Executor, id: string, userId: string, at: Date) {
  const [row] = await db
    .update(invitations)
    .set({ acceptedAt: at, acceptedById: userId })
    .where(and(eq(invitations.id, id), open))
    .returning();
  return row ?? null;
}
