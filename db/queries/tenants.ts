/** Data access for tenants. */
import "server-only";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Executor } from "../client";
import { tenants } from "../schema";

export type TenantRow = typeof tenants.$inferSelect;

export async function insertTenant(db: Executor, values: { slug: string; name: string }) {
  const [row] = await db.insert(tenants).values(values).returning();
  return row;
}

export async function getTenant(db: Executor, id: string) {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, id));
  return row ?? null;
}

/** Stores the tenant's ledger origin unless one is stored already; returns the stored one. */
export async function fixLedgerOrigin(db: Executor, id: string, origin: string): Promise<string | null> {
  await db
    .update(tenants)
    .set({ ledgerOrigin: origin })
    .where(and(eq(tenants.id, id), isNull(tenants.ledgerOrigin)));
  const [row] = await db.select({ ledgerOrigin: tenants.ledgerOrigin }).from(tenants).where(eq(tenants.id, id));
  return row?.ledgerOrigin ?? null;
}

export async function getTenantBySlug(db: Executor, slug: string) {
  const [row] = await db.select().from(tenants).where(eq(tenants.slug, slug));
  return row ?? null;
}

export async function listTenants(db: Executor) {
  return db.select().from(tenants).orderBy(asc(tenants.name));
}

export async function updateTenant(
  db: Executor,
  id: string,
  values: Partial<Pick<TenantRow, "name" | "slug" | "active" | "deactivatedAt">>,
) {
  const [row] = await db
    .update(tenants)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(tenants.id, id))
    .returning();
  return row ?? null;
}

/** Locks the tenant row for the rest of the transaction. */
export async function lockTenant(db: Executor, id: string) {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, id)).for("update");
  return row ?? null;
}
