/** Data access for integrations, their mapping configs and extraction cursors. */
import "server-only";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { ConnectorType, ObjectType } from "@/lib/domain/enums";
import type { Executor } from "../client";
import { extractionCursors, integrations, mappingConfigs, syncExecutions, users } from "../schema";

export type IntegrationRow = typeof integrations.$inferSelect;

export async function insertIntegration(db: Executor, values: typeof integrations.$inferInsert) {
  const [row] = await db.insert(integrations).values(values).returning();
  return row;
}

export async function getIntegration(db: Executor, tenantId: string, id: string, opts: { lock?: boolean; includeDeleted?: boolean } = {}) {
  const q = db
    .select()
    .from(integrations)
    .where(
      and(eq(integrations.tenantId, tenantId), eq(integrations.id, id), opts.includeDeleted ? undefined : isNull(integrations.deletedAt)),
    );
  const [row] = opts.lock ? await q.for("update") : await q;
  return row ?? null;
}

export async function updateIntegration(db: Executor, id: string, values: Partial<typeof integrations.$inferInsert>) {
  const [row] = await db
    .update(integrations)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(integrations.id, id))
    .returning();
  return row;
}

/** The list page: each integration with its owner and its latest sync. */
export async function listIntegrations(db: Executor, tenantId: string) {
  return db
    .select({
      id: integrations.id,
      name: integrations.name,
      connector: integrations.connector,
      logoUploadId: integrations.logoUploadId,
      active: integrations.active,
      ownerEmail: users.email,
      scheduleMinutes: integrations.scheduleMinutes,
      lastSyncStatus: sql<string | null>`last.status`,
      lastSyncAt: sql<Date | null>`coalesce(last.ended_at, last.started_at, last.queued_at)`.mapWith((v) => (v ? new Date(v) : null)),
      lastSyncId: sql<string | null>`last.id`,
    })
    .from(integrations)
    .leftJoin(users, eq(users.id, integrations.ownerId))
    .leftJoinLateral(
      db
        .select({
          id: syncExecutions.id,
          status: syncExecutions.status,
          ended_at: syncExecutions.endedAt,
          started_at: syncExecutions.startedAt,
          queued_at: syncExecutions.queuedAt,
        })
        .from(syncExecutions)
        .where(eq(syncExecutions.integrationId, integrations.id))
        .orderBy(sql`${syncExecutions.queuedAt} desc nulls last`)
        .limit(1)
        .as("last"),
      sql`true`,
    )
    .where(and(eq(integrations.tenantId, tenantId), isNull(integrations.deletedAt)))
    .orderBy(asc(integrations.name));
}

export async function getMappingConfig(db: Executor, tenantId: string, integrationId: string) {
  const [row] = await db
    .select()
    .from(mappingConfigs)
    .where(and(eq(mappingConfigs.tenantId, tenantId), eq(mappingConfigs.integrationId, integrationId)));
  return row ?? null;
}

export async function upsertMappingConfig(
  db: Executor,
  values: { tenantId: string; integrationId: string; mapping: Record<string, Record<string, string>> },
) {
  const [row] = await db
    .insert(mappingConfigs)
    .values(values)
    .onConflictDoUpdate({ target: mappingConfigs.integrationId, set: { mapping: values.mapping, updatedAt: new Date() } })
    .returning();
  return row;
}

export async function deleteMappingConfig(db: Executor, tenantId: string, integrationId: string) {
  await db.delete(mappingConfigs).where(and(eq(mappingConfigs.tenantId, tenantId), eq(mappingConfigs.integrationId, integrationId)));
}

export async function listCursors(db: Executor, tenantId: string, integrationId: string) {
  return db
    .select()
    .from(extractionCursors)
    .where(and(eq(extractionCursors.tenantId, tenantId), eq(extractionCursors.integrationId, integrationId)))
    .orderBy(asc(extractionCursors.objectType));
}

export async function getCursor(db: Executor, tenantId: string, integrationId: string, objectType: string) {
  const [row] = await db
    .select()
    .from(extractionCursors)
    .where(
      and(
        eq(extractionCursors.tenantId, tenantId),
        eq(extractionCursors.integrationId, integrationId),
        sql`${extractionCursors.objectType} = ${objectType}`,
      ),
    );
  return row ?? null;
}

export async function resetCursor(db: Executor, id: string) {
  await db.update(extractionCursors).set({ position: "", updatedAt: new Date() }).where(eq(extractionCursors.id, id));
}

export async function deleteCursor(db: Executor, id: string) {
  await db.delete(extractionCursors).where(eq(extractionCursors.id, id));
}

/**
 * What a worker needs to run a sync of an integration, across tenants (the
 * sync row names the integration): settings with their secrets still
 * encrypted, the mapping, and the drop threshold. Null once it is deleted.
 */
export async function getIntegrationForSync(db: Executor, integrationId: string) {
  const [row] = await db.execute<{
    id: string;
    connector: ConnectorType;
    config: Record<string, unknown>;
    secrets: string | null;
    drop: number;
    mapping: Record<string, Record<string, string>> | null;
  }>(sql`
    select i.id, i.connector, i.config, i.secrets, i.drop_threshold_percent as drop, m.mapping
      from ${integrations} i left join ${mappingConfigs} m on m.integration_id = i.id
     where i.id = ${integrationId} and i.deleted_at is null`);
  return row ?? null;
}

/** The delta positions a sync starts from: one per object type that has one. */
export async function cursorPositions(db: Executor, integrationId: string) {
  return db.execute<{ object_type: ObjectType; position: string }>(sql`
    select object_type, position from ${extractionCursors} where integration_id = ${integrationId} and position <> ''`);
}

/** Stores where the next delta sync of one object type starts; committed with the data it describes. */
export async function saveCursorPosition(
  db: Executor,
  at: { tenantId: string; integrationId: string; objectType: string; position: string },
) {
  await db.execute(sql`
      insert into ${extractionCursors} (tenant_id, integration_id, object_type, position)
      values (${at.tenantId}, ${at.integrationId}, ${at.objectType}, ${at.position})
      on conflict (integration_id, object_type) do update set position = excluded.position, updated_at = now()`);
}
