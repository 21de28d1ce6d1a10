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
 *
 * Every statement here is written so that its plan cannot go quadratic
 * whatever the statistics say. The planner does not know a sync's rows until
 * autovacuum analyses them, which in a real install is after the run: it
 * estimates "about one row" for a sync that staged 600,000, and a join of two
 * such sets may be planned as a nested loop that rescans one side per row of
 * the other. So: lookups probe the staging key once per id; set
 * differences are EXCEPT (hashed or sorted, never a nested loop); and sets
 * that steer a statement are read into the worker first and passed as arrays.
 *
 * A statement names the base sync as `(select $id)`, not as a constant: for a
 * constant the planner looks the id up in the statistics, finds nothing and
 * estimates one row, and then any index that starts with the sync id looks as
 * good as the key, including one that scans the whole sync per probe. For a
 * value it cannot see it estimates an average sync and picks the key.
 */
import type postgres from "postgres";
import { recordNameSql, type SyncExecutionRow } from "@/db/queries/syncs";
import type { ObjectType } from "@/lib/connectors/types";
import { STAGED_OUTCOMES, type SyncCounts } from "@/lib/domain/enums";
import type { StagedOutcome } from "./staging";

/** Where a run reads the current state from: its base sync and overlay, at this version. */
export type StateRef = {
  integrationId: string;
  version: number;
  base: string | null;
  /** Whether delta syncs left overlay entries; without any, a lookup reads the base alone. */
  overlay: boolean;

};

/** The integration's current state as of now (version 0: nothing applied yet). */
export async function readState(sql: postgres.Sql, integrationId: string): Promise<StateRef> {
  const [row] = await sql<{ version: string; base: string | null; overlay: boolean }[]>`
    select version, base_sync_execution_id as base,
           exists(select 1 from identity_overlay o where o.integration_id = s.integration_id) as overlay
      from identity_states s where integration_id = ${integrationId}`;
  return {
    integrationId,
    version: row ? Number(row.version) : 0,
    base: row?.base ?? null,
    overlay: row?.overlay ?? false,
  };
}

/**
 * The current hashes of some external ids of one object type; ids absent
 * from the result are not in the current state. Written against the base and
 * the overlay directly: through the view, the base sync is known only at run
 * time and the planner may scan a whole sync.
 */
export async function currentHashes(
  sql: postgres.Sql,
  state: StateRef,
  objectType: ObjectType,
  externalIds: string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (externalIds.length === 0 || !state.base) return found;
  // A probe per id: equality on the whole staging key is planned as an index probe with any
  // statistics or none. An index scan over the array (`= any`) was no faster here, and on a
  // table never analysed the planner took 5,000 ids for a filter that keeps nearly
  // everything and scanned the whole base per lookup.
  const base = await sql<{ external_id: string; hash: string }[]>`
    select b.external_id, b.hash from unnest(${externalIds}::text[]) as k(external_id)
      cross join lateral (
        select b.external_id, b.hash from extracted_objects b
         where b.sync_execution_id = (select ${state.base}::uuid) and b.object_type = ${objectType}
           and b.external_id = k.external_id
         limit 1) b`;
  for (const r of base) found.set(r.external_id, r.hash);
  if (state.overlay) {
    // What delta syncs changed since the base wins over it; a null hash is a deletion.
    const changed = await sql<{ external_id: string; hash: string | null }[]>`
      select o.external_id, oe.hash from identity_overlay o
        left join extracted_objects oe on oe.sync_execution_id = o.sync_execution_id and oe.id = o.extracted_id
       where o.integration_id = ${state.integrationId} and o.object_type = ${objectType}
         and o.external_id = any(${externalIds}::text[])`;
    for (const r of changed) {
      if (r.hash === null) found.delete(r.external_id);
      else found.set(r.external_id, r.hash);
    }
  }
  return found;
}

export function outcomeOf(current: string | undefined, hash: string): StagedOutcome {
  return current === undefined ? "created" : current === hash ? "unchanged" : "updated";
}

/** Staged rows re-compared per round: the size of a lookup's id array. */
const RECOMPARE_BATCH = 5_000;

/**
 * Compares a sync's staged rows with the current state again, changing only
 * the outcomes that moved. The rows are read in key order a batch at a time
 * and looked up as extraction does, so the cost is that of one more
 * comparison pass, whatever the sizes.
 */
export async function recompareOutcomes(tx: postgres.Sql, exec: SyncExecutionRow, state: StateRef): Promise<void> {
  const moved: Record<StagedOutcome, string[]> = { created: [], updated: [], unchanged: [] };
  let after = 0;
  for (;;) {
    const rows = await tx<{ id: string; object_type: ObjectType; external_id: string; hash: string; outcome: StagedOutcome | null }[]>`
      select id, object_type, external_id, hash, outcome from extracted_objects
       where sync_execution_id = (select ${exec.id}::uuid) and id > ${after}
       order by id limit ${RECOMPARE_BATCH}`;
    if (rows.length === 0) break;
    after = Number(rows[rows.length - 1].id);
    const byType = new Map<ObjectType, (typeof rows)[number][]>();
    for (const r of rows) {
      const typed = byType.get(r.object_type);
      if (typed) typed.push(r);
      else byType.set(r.object_type, [r]);
    }
    for (const [objectType, typed] of byType) {
      const current = await currentHashes(tx, state, objectType, typed.map((r) => r.external_id));
      for (const r of typed) {
        const outcome = outcomeOf(current.get(r.external_id), r.hash);
        if (outcome !== r.outcome) moved[outcome].push(r.id);
      }
    }
  }
  for (const outcome of STAGED_OUTCOMES) {
    const ids = moved[outcome];
    for (let i = 0; i < ids.length; i += 10_000) {
      await tx`
        update extracted_objects set outcome = ${outcome}
         where sync_execution_id = ${exec.id} and id = any(${ids.slice(i, i + 10_000)}::bigint[])`;
    }
  }
}

/**
 * Locks the integration's state row for this transaction (creating it on
 * first use) and returns its version: applies of one integration serialise here.
 */
export async function lockState(tx: postgres.Sql, exec: SyncExecutionRow): Promise<StateRef> {
  await tx`
    insert into identity_states (integration_id, tenant_id) values (${exec.integrationId}, ${exec.tenantId})
    on conflict (integration_id) do nothing`;
  await tx`select 1 from identity_states where integration_id = ${exec.integrationId} for update`;
  return readState(tx, exec.integrationId);
}

/**
 * Logs as deleted each object of the current state (those `current` selects)
 * that the sync's staged rows (those `staged` selects) lack. EXCEPT compares
 * the two sets by hashing or sorting them, never by a nested loop, so its
 * cost is linear whatever the planner believes their sizes to be.
 */
async function logDeletions(
  tx: postgres.Sql,
  exec: SyncExecutionRow,
  current: postgres.PendingQuery<postgres.Row[]>,
  staged: postgres.PendingQuery<postgres.Row[]>,
) {
  // Each deleted object's name is looked up by its key, a probe per deletion, from the row it had.
  const logged = await tx<{ object_type: ObjectType; n: number }[]>`
    with logged as (
    insert into sync_records (tenant_id, sync_execution_id, object_type, external_id, outcome, name)
    select ${exec.tenantId}, ${exec.id}, d.object_type, d.external_id, 'deleted', n.name
      from (select c.object_type, c.external_id from identity_objects c where c.integration_id = ${exec.integrationId} and ${current}
            except
            select e.object_type, e.external_id from extracted_objects e where e.sync_execution_id = ${exec.id} and ${staged}) d
      left join lateral (
        select ${tx.unsafe(recordNameSql("c"))} as name from identity_objects c
         where c.integration_id = ${exec.integrationId} and c.object_type = d.object_type and c.external_id = d.external_id
         limit 1) n on true
    returning object_type)
    select object_type, count(*)::int as n from logged group by 1`;
  const deleted: Deletions = {};
  for (const r of logged) deleted[r.object_type] = r.n;
  return deleted;
}

/** Records logged as deleted by an apply, per object type. */
export type Deletions = Partial<Record<ObjectType, number>>;

/**
 * A full sync replaces the current state: what the state held and the sync
 * did not see is logged as deleted, then the sync becomes the base and the
 * overlay is cleared.
 */
export async function applyFull(tx: postgres.Sql, exec: SyncExecutionRow, known?: SyncCounts): Promise<Deletions> {
  // Every staged row found in the state matched one of its objects (keys are unique once
  // duplicates are dropped): when they account for the whole state, nothing was deleted
  // and the pass over the whole state is skipped. The worker counted the matches while it
  // staged them; a run compared again at apply counts them here.
  const [{ current }] = await tx<{ current: number }[]>`
    select count(*)::int as current from identity_objects where integration_id = ${exec.integrationId}`;
  const matched = known
    ? Object.values(known).reduce((n, c) => n + (c?.updated ?? 0) + (c?.unchanged ?? 0), 0)
    : (
        await tx<{ matched: number }[]>`
          select count(*)::int as matched from extracted_objects
           where sync_execution_id = ${exec.id} and outcome in ('updated', 'unchanged')`
      )[0].matched;
  const deleted = matched < current ? await logDeletions(tx, exec, tx`true`, tx`true`) : {};
  await tx`delete from identity_overlay where integration_id = ${exec.integrationId}`;
  await tx`
    update identity_states set base_sync_execution_id = ${exec.id}, version = version + 1, updated_at = now()
     where integration_id = ${exec.integrationId}`;
  return deleted;
}

/**
 * A delta sync changes the current state through the overlay: new and
 * changed objects point at this sync's staged rows. A group read in a delta
 * comes with its complete member list, so its members the delta no longer
 * lists are deleted.
 */
export async function applyDelta(tx: postgres.Sql, exec: SyncExecutionRow): Promise<Deletions> {
  let deleted: Deletions = {};
  // The delta's groups steer which memberships are compared: read first and passed as an
  // array, so no join between two sets the planner cannot size.
  const groups = (await tx<{ external_id: string }[]>`
    select external_id from extracted_objects where sync_execution_id = ${exec.id} and object_type = 'group'`).map((g) => g.external_id);
  if (groups.length > 0) {
    deleted = await logDeletions(
      tx,
      exec,
      tx`c.object_type = 'membership' and c.fields->>'groupExternalId' = any(${groups}::text[])`,
      tx`e.object_type = 'membership'`,
    );
    // What was just logged as deleted leaves the state through the overlay.
    await tx`
      insert into identity_overlay (tenant_id, integration_id, object_type, external_id, sync_execution_id, extracted_id)
      select ${exec.tenantId}, ${exec.integrationId}, object_type, external_id, ${exec.id}, null
        from sync_records where sync_execution_id = ${exec.id} and outcome = 'deleted'
      on conflict (integration_id, object_type, external_id)
      do update set sync_execution_id = excluded.sync_execution_id, extracted_id = null`;
  }
  await tx`
    insert into identity_overlay (tenant_id, integration_id, object_type, external_id, sync_execution_id, extracted_id)
    select ${exec.tenantId}, ${exec.integrationId}, e.object_type, e.external_id, ${exec.id}, e.id
      from extracted_objects e
     where e.sync_execution_id = ${exec.id} and e.outcome in ('created', 'updated')
    on conflict (integration_id, object_type, external_id)
    do update set sync_execution_id = excluded.sync_execution_id, extracted_id = excluded.extracted_id`;
  await tx`update identity_states set version = version + 1, updated_at = now() where integration_id = ${exec.integrationId}`;
  return deleted;
}
