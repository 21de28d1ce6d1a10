/** Data access for users and their tenant memberships. */
import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { memberships, tenants, users } from "../schema";
import type { Role } from "@/lib/domain/enums";

export type UserRow = typeof users.$inferSelect;

export async function getUserByEmail(db: Executor, email: string) {
  const [row] = await db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return row ?? null;
}

export async function getUser(db: Executor, id: string) {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row ?? null;
}

export async function insertUser(
  db: Executor,
  values: { email: string; name: string; passwordHash: string | null; isPlatformAdmin?: boolean },
) {
  const [row] = await db
    .insert(users)
    .values({ ...values, email: values.email.toLowerCase() })
    .returning();
  return row;
}

export async function setPassword(db: Executor, userId: string, passwordHash: string) {
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
}

export async function setPlatformAdmin(db: Executor, userId: string, isPlatformAdmin: boolean) {
  await db.update(users).set({ isPlatformAdmin }).where(eq(users.id, userId));
}

/** The user's role in an active tenant, or null. */
export async function getMembership(db: Executor, tenantId: string, userId: string) {
  const [row] = await db
    .select({
      id: memberships.id,
      role: memberships.role,
      tenantId: tenants.id,
      tenantName: tenants.name,
      tenantSlug: tenants.slug,
      tenantActive: tenants.active,
      userActive: users.active,
    })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  return row ?? null;
}

/** Tenants a user belongs to (active tenants only). */
export async function listUserTenants(db: Executor, userId: string) {
  return db
    .select({ id: tenants.id, name: tenants.name, slug: tenants.slug, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(and(eq(memberships.userId, userId), eq(tenants.active, true)))
    .orderBy(asc(tenants.name));
}

export async function listMembers(db: Executor, tenantId: string) {
  return db
    .select({
      id: memberships.id,
      userId: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      createdAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(asc(users.email));
}

export async function getMember(db: Executor, tenantId: string, membershipId: string) {
  const [row] = await db
    .select({ id: memberships.id, userId: users.id, email: users.email, name: users.name, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.id, membershipId)));
  return row ?? null;
}

export async function insertMembership(db: Executor, values: { tenantId: string; userId: string; role: Role }) {
  const [row] = await db.insert(memberships).values(values).returning();
  return row;
}

export async function updateMembershipRole(db: Executor, tenantId: string, membershipId: string, role: Role) {
  const [row] = await db
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.id, membershipId)))
    .returning();
  return row ?? null;
}

export async function deleteMembership(db: Executor, tenantId: string, membershipId: string) {
  await db.delete(memberships).where(and(eq(memberships.tenantId, tenantId), eq(memberships.id, membershipId)));
}

export async function countAdmins(db: Executor, tenantId: string) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, "admin")));
  return row.n;
}

/** The session version a user's tokens must carry, and whether the user may sign in at all. */
export async function getUserSessionState(db: Executor, userId: string) {
  const [row] = await db.select({ sessionVersion: users.sessionVersion, active: users.active }).from(users).where(eq(users.id, userId));
  return row ?? null;
}

/** Ends every session the user holds: tokens issued before carry the old version. */
export async function bumpSessionVersion(db: Executor, userId: string) {
  await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
}

/** Whether an address already belongs to a tenant (visible to its admins in the member list anyway). */
export async function isMemberByEmail(db: Executor, tenantId: string, email: string) {
  const [row] = await db
    .select({ id: memberships.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), sql`lower(${users.email}) = ${email.toLowerCase()}`));
  return !!row;
}

/** The tenant the user's next session opens in. */
export async function setLastTenant(db: Executor, userId: string, tenantId: string) {
  await db.update(users).set({ lastTenantId: tenantId }).where(eq(users.id, userId));
}
