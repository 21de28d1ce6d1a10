/** Data access for received files (see lib/uploads). */
import "server-only";
import { and, asc, eq, inArray, isNull, lt } from "drizzle-orm";
import type { Executor } from "../client";
import { uploads } from "../schema";

export type UploadRow = typeof uploads.$inferSelect;

export async function insertUpload(db: Executor, values: typeof uploads.$inferInsert) {
  const [row] = await db.insert(uploads).values(values).returning();
  return row;
}

export async function findUploadsByKey(db: Executor, tenantId: string, keys: string[]) {
  if (keys.length === 0) return [];
  return db
    .select()
    .from(uploads)
    .where(and(eq(uploads.tenantId, tenantId), inArray(uploads.objectKey, keys)));
}

export async function findUploadsById(db: Executor, tenantId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(uploads)
    .where(and(eq(uploads.tenantId, tenantId), inArray(uploads.id, ids)));
}

export async function listOrphanUploads(db: Executor, createdBefore: Date, limit: number) {
  return db
    .select()
    .from(uploads)
    .where(and(isNull(uploads.attachedAt), lt(uploads.createdAt, createdBefore)))
    .orderBy(asc(uploads.createdAt))
    .limit(limit);
}

export async function deleteUpload(db: Executor, id: string) {
  await db.delete(uploads).where(eq(uploads.id, id));
}

/** Marks uploads attached (so orphan cleanup leaves them alone), only those not attached yet; returns how many it took. */
export async function claimUploads(db: Executor, tenantId: string, ids: string[], at = new Date()): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db
    .update(uploads)
    .set({ attachedAt: at })
    .where(and(eq(uploads.tenantId, tenantId), inArray(uploads.id, ids), isNull(uploads.attachedAt)))
    .returning({ id: uploads.id });
  return rows.length;
}
