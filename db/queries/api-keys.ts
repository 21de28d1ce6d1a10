/** Data access for API keys. The secret itself is never stored, only its hash. */
import "server-only";
import { and, desc, eq, lt, or, isNull, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { apiKeys, tenants } from "../schema";

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function insertApiKey(db: Executor, values: typeof apiKeys.$inferInsert) {
  const [row] = await db.insert(apiKeys).values(values).returning();
  return row;
}

export async function listApiKeys(db: Executor, tenantId: string) {
  return db.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(desc(apiKeys.createdAt));
}

export async function getApiKey(db: Executor, tenantId: string, id: string) {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)));
  return row ?? null;
}

export async function findApiKeyByHash(db: Executor, secretHash: string) {
  const [row] = await db
    .select({ key: apiKeys, tenantActive: tenants.active })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(eq(apiKeys.secretHash, secretHash));
  return row ?? null;
}

export async function revokeApiKey(db: Executor, tenantId: string, id: string, at: Date) {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)))
    .returning();
  return row ?? null;
}

export async function deleteApiKey(db: Executor, tenantId: string, id: string) {
  await db.delete(apiKeys).where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)));
}

/** Records use at most once a minute per key, so busy keys do not write on every call. */
export async function touchApiKey(db: Executor, id: string, at: Date) {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: at })
    .where(
      and(
        eq(apiKeys.id, id),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`${at.toISOString()}::timestamptz - interval '1 minute'`)),
      ),
    );
}
