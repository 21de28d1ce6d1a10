/**
 * An integration's current state: the staged rows of its last applied full
 * sync (the base), overlaid by the changes delta syncs applied since
 * (identity_overlay). The identity_objects view reads the two together.
 *
 * A full sync becomes the current state by reference: its rows are already
 * staged, so applying it writes one identity_states row instead of copying
 * every record. Outcomes (created / updated / unchanged) are worked out page
 * by page while the sync stages its rows, against the state whose version
 * the run recorded; an apply bumps the version, so a run whose state moved
 * meanwhile (a held run released later) compares again before it applies.
 */
import type postgres from "postgres";
import { recordNameSql, type SyncExecutionRow } from "@/db/queries/syncs";
import type { ObjectType } from "@/lib/connectors/types";
import type { StagedOutcome } from "./staging";

/** Where a run reads the current state from: its base sync and overlay, at this version. */
export type StateRef = { integrationId: string; version: number; base: string | null };

/** The integration's current state as of now (version 0: nothing applied yet). */
export async function readState(sql: postgres.Sql, integrationId: string): Promise<StateRef> {
  const [row] = await sql<{ version: string; base: string | null }[]>`
    select version, base_sync_execution_id as base from identity_states where integration_id = ${integrationId}`;
  return { integrationId, version: row ? Number(row.version) : 0, base: row?.base ?? null };
}

/**
 * The current hashes of some external ids of one object type; ids absent
 * from the result are not in the current state. Written against the base and
 * the overlay directly, as index probes per id: through the view, the base
 * sync is known only at run time and the planner may scan a whole sync.
 */
export async function currentHashes(
  sql: postgres.Sql,
  state: StateRef,
  objectType: ObjectType,
  externalIds: string[],
): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  // LATERAL … LIMIT 1 keeps each lookup an index probe whatever the table's statistics say
  // (right after a first large sync, before autovacuum has analysed it, they say "tiny").
  const rows = await sql<{ external_id: string; hash: string | null }[]>`
    select k.external_id, case when o.present then o.hash else b.hash end as hash
      from unnest(${externalIds}::text[]) as k(external_id)
      left join lateral (
        select true as present, oe.hash from identity_overlay o
          left join extracted_objects oe on oe.sync_execution_id = o.sync_execution_id and oe.id = o.extracted_id
         where o.integration_id = ${state.integrationId} and o.object_type = ${objectType} and o.external_id = k.external_id
         limit 1) o on true
      left join lateral (
        select b.hash from extracted_objects b
         where b.sync_execution_id = ${state.base}::uuid and b.object_type = ${objectType} and b.external_id = k.external_id
         limit 1) b on true`;
  const found = new Map<string, string>();
  for (const r of rows) if (r.hash !== null) found.set(r.external_id, r.hash);
  return found;
}

export function outcomeOf(current: string | undefined, hash: string): StagedOutcome {
  return current === undefined ? "created" : current === hash ? "unchanged" : "updated";
}

/** Compares a sync's staged rows with the current state again, changing only the outcomes that moved. */
export async function recompareOutcomes(tx: postgres.Sql, exec: SyncExecutionRow): Promise<void> {
  await tx`
    update extracted_objects e set outcome = x.outcome
      from (select s.id,
                   case when c.hash is null then 'created' when c.hash <> s.hash then 'updated' else 'unchanged' end as outcome
              from extracted_objects s
              left join identity_objects c
                on c.integration_id = ${exec.integrationId} and c.object_type = s.object_type and c.external_id = s.external_id
             where s.sync_execution_id = ${exec.id}) x
     where e.sync_execution_id = ${exec.id} and e.id = x.id and e.outcome is distinct from x.outcome`;
}

/**
 * Locks the integration's state row for this transaction (creating it on
 * first use) and returns its version: applies of one integration serialise here.
 */
export async function lockState(tx: postgres.Sql, exec: SyncExecutionRow): Promise<number> {
  await tx`
    insert into identity_states (integration_id, tenant_id) values (${exec.integrationId}, ${exec.tenantId})
    on conflict (integration_id) do nothing`;
  const [row] = await tx<{ version: string }[]>`
    select version from identity_states where integration_id = ${exec.integrationId} for update`;
  return Number(row.version);
}

/**
 * A full sync replaces the current state: what the state held and the sync
 * did not see is logged as deleted, then the sync becomes the base and the
 * overlay is cleared.
 */
export async function applyFull(tx: postgres.Sql, exec: SyncExecutionRow): Promise<void> {
  // Every staged row found in the state matched one of its objects (keys are unique once
  // duplicates are dropped): when they account for the whole state, nothing was deleted
  // and the anti-join over two whole syncs is skipped.
  const [{ current }] = await tx<{ current: number }[]>`
    select count(*)::int as current from identity_objects where integration_id = ${exec.integrationId}`;
  const [{ matched }] = await tx<{ matched: number }[]>`
    select count(*)::int as matched from extracted_objects
     where sync_execution_id = ${exec.id} and outcome in ('updated', 'unchanged')`;
  if (matched < current) {
    await tx`
      insert into sync_records (tenant_id, sync_execution_id, object_type, external_id, outcome, name)
      select ${exec.tenantId}, ${exec.id}, c.object_type, c.external_id, 'deleted', ${tx.unsafe(recordNameSql("c"))}
        from identity_objects c
       where c.integration_id = ${exec.integrationId}
         and not exists (select 1 from extracted_objects e
                          where e.sync_execution_id = ${exec.id} and e.object_type = c.object_type and e.external_id = c.external_id)`;
  }
  await tx`delete from identity_overlay where integration_id = ${exec.integrationId}`;
  await tx`
    update identity_states set base_sync_execution_id = ${exec.id}, version = version + 1, updated_at = now()
     where integration_id = ${exec.integrationId}`;
}

/**
 * A delta sync changes the current state through the overlay: new and
 * changed objects point at this sync's staged rows. A group read in a delta
 * comes with its complete member list, so its members the delta no longer
 * lists are deleted.
 */
export async function applyDelta(tx: postgres.Sql, exec: SyncExecutionRow): Promise<void> {
  await tx`
    with gone as (
      select c.object_type, c.external_id, ${tx.unsafe(recordNameSql("c"))} as name from identity_objects c
       where c.integration_id = ${exec.integrationId} and c.object_type = 'membership'
         and c.fields->>'groupExternalId' in (
               select external_id from extracted_objects where sync_execution_id = ${exec.id} and object_type = 'group')
         and not exists (select 1 from extracted_objects e
                          where e.sync_execution_id = ${exec.id} and e.object_type = 'membership' and e.external_id = c.external_id)),
    logged as (
      insert into sync_records (tenant_id, sync_execution_id, object_type, external_id, outcome, name)
      select ${exec.tenantId}, ${exec.id}, object_type, external_id, 'deleted', name from gone)
    insert into identity_overlay (tenant_id, integration_id, object_type, external_id, sync_execution_id, extracted_id)
    select ${exec.tenantId}, ${exec.integrationId}, object_type, external_id, ${exec.id}, null from gone
    on conflict (integration_id, object_type, external_id)
    do update set sync_execution_id = excluded.sync_execution_id, extracted_id = null`;
  await tx`
    insert into identity_overlay (tenant_id, integration_id, object_type, external_id, sync_execution_id, extracted_id)
    select ${exec.tenantId}, ${exec.integrationId}, e.object_type, e.external_id, ${exec.id}, e.id
      from extracted_objects e
     where e.sync_execution_id = ${exec.id} and e.outcome in ('created', 'updated')
    on conflict (integration_id, object_type, external_id)
    do update set sync_execution_id = excluded.sync_execution_id, extracted_id = excluded.extracted_id`;
  await tx`update identity_states set version = version + 1, updated_at = now() where integration_id = ${exec.integrationId}`;
}
