/**
 * Data access for an integration's current state: identity_states (which full
 * sync is the base, at which version), identity_overlay (what delta syncs
 * changed since) and the staged rows both point at. lib/syncs/state.ts
 * decides what to run; the statements live here.
 *
 * Every statement is written so that its plan cannot go quadratic whatever
 * the statistics say (lib/syncs/state.ts explains the rules): lookups probe
 * the staging key once per id (LATERAL … LIMIT 1); set differences are
 * EXCEPT; a sync id that steers a probe is `(select $id)`, a value the
 * planner cannot look up; sets that steer a statement arrive as arrays.
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { ObjectType, StagedOutcome } from "@/lib/domain/enums";
import type { Executor } from "../client";
import { extractedObjects, identityObjects, identityOverlay, identityStates, syncRecords } from "../schema";
import { recordNameSql } from "./syncs";

/** An array as one parameter (`= any($1::text[])`): Drizzle's `sql` spreads a plain array into a list. */
const array = (values: readonly unknown[]) => sql.param(values);

/** The integration's state row: its base sync, its version, and whether delta syncs left overlay entries. */
export async function readIdentityState(db: Executor, integrationId: string) {
  const [row] = await db.execute<{ version: string; base: string | null; overlay: boolean }>(sql`
    select version, base_sync_execution_id as base,
           exists(select 1 from ${identityOverlay} o where o.integration_id = s.integration_id) as overlay
      from ${identityStates} s where integration_id = ${integrationId}`);
  return row ?? null;
}

/**
 * The base sync's hashes of some external ids of one object type. A probe per
 * id: equality on the whole staging key is planned as an index probe with any
 * statistics or none. An index scan over the array (`= any`) was no faster
 * here, and on a table never analysed the planner took 5,000 ids for a filter
 * that keeps nearly everything and scanned the whole base per lookup.
 */
export async function baseHashes(db: Executor, baseSyncId: string, objectType: ObjectType, externalIds: string[]) {
  return db.execute<{ external_id: string; hash: string }>(sql`
    select b.external_id, b.hash from unnest(${array(externalIds)}::text[]) as k(external_id)
      cross join lateral (
        select b.external_id, b.hash from ${extractedObjects} b
         where b.sync_execution_id = (select ${baseSyncId}::uuid) and b.object_type = ${objectType}
           and b.external_id = k.external_id
         limit 1) b`);
}

/** What delta syncs changed since the base for some external ids; a null hash is a deletion. */
export async function overlayHashes(db: Executor, integrationId: string, objectType: ObjectType, externalIds: string[]) {
  return db.execute<{ external_id: string; hash: string | null }>(sql`
      select o.external_id, oe.hash from ${identityOverlay} o
        left join ${extractedObjects} oe on oe.sync_execution_id = o.sync_execution_id and oe.id = o.extracted_id
       where o.integration_id = ${integrationId} and o.object_type = ${objectType}
         and o.external_id = any(${array(externalIds)}::text[])`);
}

/** A batch of a sync's staged rows in key order, after id `after`. */
export async function stagedRowsAfter(db: Executor, syncId: string, after: number, limit: number) {
  return db.execute<{ id: string; object_type: ObjectType; external_id: string; hash: string; outcome: StagedOutcome | null }>(sql`
      select id, object_type, external_id, hash, outcome from ${extractedObjects}
       where sync_execution_id = (select ${syncId}::uuid) and id > ${after}
       order by id limit ${limit}`);
}

/** Sets the outcome of some of a sync's staged rows. */
export async function setStagedOutcome(db: Executor, syncId: string, outcome: StagedOutcome, ids: string[]) {
  await db.execute(sql`
        update ${extractedObjects} set outcome = ${outcome}
         where sync_execution_id = ${syncId} and id = any(${array(ids)}::bigint[])`);
}

/** Locks the integration's state row for the caller's transaction, creating it on first use. */
export async function lockIdentityState(tx: Executor, integrationId: string, tenantId: string) {
  await tx.execute(sql`
    insert into ${identityStates} (integration_id, tenant_id) values (${integrationId}, ${tenantId})
    on conflict (integration_id) do nothing`);
  await tx.execute(sql`select 1 from ${identityStates} where integration_id = ${integrationId} for update`);
}

/** The apply sorts and hashes whole syncs: it may use more memory than a page's query. */
export async function allowApplyMemory(tx: Executor) {
  await tx.execute(sql`set local work_mem = '256MB'`);
}

/** How many objects the integration's current state holds. */
export async function countCurrentObjects(db: Executor, integrationId: string): Promise<number> {
  const [{ current }] = await db.execute<{ current: number }>(sql`
    select count(*)::int as current from ${identityObjects} where integration_id = ${integrationId}`);
  return current;
}

/** How many of a sync's staged rows matched an object of the current state. */
export async function countMatchedStaged(db: Executor, syncId: string): Promise<number> {
  const [{ matched }] = await db.execute<{ matched: number }>(sql`
          select count(*)::int as matched from ${extractedObjects}
           where sync_execution_id = ${syncId} and outcome in ('updated', 'unchanged')`);
  return matched;
}

/** Which objects logDeletions compares: all of them, or the memberships of some groups. */
export type DeletionScope = { current: SQL; staged: SQL };
export const ALL_OBJECTS: DeletionScope = { current: sql`true`, staged: sql`true` };
export function membershipsOfGroups(groups: string[]): DeletionScope {
  return {
    current: sql`c.object_type = 'membership' and c.fields->>'groupExternalId' = any(${array(groups)}::text[])`,
    staged: sql`e.object_type = 'membership'`,
  };
}

/**
 * Logs as deleted each object of the current state (those `scope.current`
 * selects) that the sync's staged rows (those `scope.staged` selects) lack.
 * EXCEPT compares the two sets by hashing or sorting them, never by a nested
 * loop, so its cost is linear whatever the planner believes their sizes to
 * be. Each deleted object's name is looked up by its key, a probe per
 * deletion, from the row it had. Answers the count per object type.
 */
export async function logDeletions(tx: Executor, sync: { id: string; tenantId: string; integrationId: string }, scope: DeletionScope) {
  return tx.execute<{ object_type: ObjectType; n: number }>(sql`
    with logged as (
    insert into ${syncRecords} (tenant_id, sync_execution_id, object_type, external_id, outcome, name)
    select ${sync.tenantId}, ${sync.id}, d.object_type, d.external_id, 'deleted', n.name
      from (select c.object_type, c.external_id from ${identityObjects} c where c.integration_id = ${sync.integrationId} and ${scope.current}
            except
            select e.object_type, e.external_id from ${extractedObjects} e where e.sync_execution_id = ${sync.id} and ${scope.staged}) d
      left join lateral (
        select ${sql.raw(recordNameSql("c"))} as name from ${identityObjects} c
         where c.integration_id = ${sync.integrationId} and c.object_type = d.object_type and c.external_id = d.external_id
         limit 1) n on true
    returning object_type)
    select object_type, count(*)::int as n from logged group by 1`);
}

/** A full sync becomes the base: the overlay is cleared and the version moves on. */
export async function makeBase(tx: Executor, integrationId: string, syncId: string) {
  await tx.execute(sql`delete from ${identityOverlay} where integration_id = ${integrationId}`);
  await tx.execute(sql`
    update ${identityStates} set base_sync_execution_id = ${syncId}, version = version + 1, updated_at = now()
     where integration_id = ${integrationId}`);
}

/** The external ids of the groups a sync staged. */
export async function stagedGroupIds(db: Executor, syncId: string): Promise<string[]> {
  const rows = await db.execute<{ external_id: string }>(sql`
    select external_id from ${extractedObjects} where sync_execution_id = ${syncId} and object_type = 'group'`);
  return rows.map((g) => g.external_id);
}

/** What a delta sync logged as deleted leaves the state through the overlay. */
export async function overlayDeletions(tx: Executor, sync: { id: string; tenantId: string; integrationId: string }) {
  await tx.execute(sql`
      insert into ${identityOverlay} (tenant_id, integration_id, object_type, external_id, sync_execution_id, extracted_id)
      select ${sync.tenantId}, ${sync.integrationId}, object_type, external_id, ${sync.id}, null
        from ${syncRecords} where sync_execution_id = ${sync.id} and outcome = 'deleted'
      on conflict (integration_id, object_type, external_id)
      do update set sync_execution_id = excluded.sync_execution_id, extracted_id = null`);
}

/** A delta sync's new and changed objects point at its staged rows, and the version moves on. */
export async function overlayChanges(tx: Executor, sync: { id: string; tenantId: string; integrationId: string }) {
  await tx.execute(sql`
    insert into ${identityOverlay} (tenant_id, integration_id, object_type, external_id, sync_execution_id, extracted_id)
    select ${sync.tenantId}, ${sync.integrationId}, e.object_type, e.external_id, ${sync.id}, e.id
      from ${extractedObjects} e
     where e.sync_execution_id = ${sync.id} and e.outcome in ('created', 'updated')
    on conflict (integration_id, object_type, external_id)
    do update set sync_execution_id = excluded.sync_execution_id, extracted_id = excluded.extracted_id`);
  await tx.execute(
    sql`update ${identityStates} set version = version + 1, updated_at = now() where integration_id = ${sync.integrationId}`,
  );
}
