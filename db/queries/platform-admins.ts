/** Data access for the set of platform administrators. */
import { asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { users } from "../schema";

export async function listPlatformAdmins(db: Executor) {
  return db
    .select({ id: users.id, email: users.email, name: users.name, active: users.active })
    .from(users)
    .where(eq(users.isPlatformAdmin, true))
    .orderBy(asc(users.email));
}

/**
 * The active platform administrators, locked: two removals at once must not
 * both see "another admin remains" and leave none.
 */
export async function lockActivePlatformAdmins(db: Executor): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`select id from ${users} where is_platform_admin and active order by id for update`);
  return rows.map((r) => r.id);
}

export async function lockUserByEmail(db: Executor, email: string) {
  const rows = await db.execute<{ id: string; email: string; name: string; active: boolean; is_platform_admin: boolean }>(
    sql`select id, email, name, active, is_platform_admin from ${users} where lower(email) = ${email.toLowerCase()} for update`,
  );
  const row = rows[0];
  return row ? { id: row.id, email: row.email, name: row.name, active: row.active, isPlatformAdmin: row.is_platform_admin } : null;
}

export async function setPlatformAdmin(db: Executor, userId: string, isPlatformAdmin: boolean) {
  await db.update(users).set({ isPlatformAdmin }).where(eq(users.id, userId));
}
