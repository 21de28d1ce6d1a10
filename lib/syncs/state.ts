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
 *
 * The statements themselves are named functions in db/queries/identity-state.ts.
 */
import "server-only";
import type { Executor } from "@/db/client";
import * as stateQueries from "@/db/queries/identity-state";
import type { SyncExecutionRow } from "@/db/queries/syncs";
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
export async function readState(db: Executor, integrationId: string): Promise<StateRef> {
  const row = await stateQueries.readIdentityState(db, integrationId);
  return {
    integrationId,
    version: row ? Number(row.version) : 0,
    base: row?.base ?? null,
    overlay: row?.overlay ?? false,
  };
}

/**
 * The current hashes of some external ids of one object type; ids absent
 * from the result are not in the current state. Read from the base and the
 * overlay directly: through the view, the base sync is known only at run
 * time and the planner may scan a whole sync.
 */
export async function currentHashes(
  db: Executor,
  state: StateRef,
  objectType: ObjectType,
  externalIds: string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (externalIds.length === 0 || !state.base) return found;
  for (const r of await stateQueries.baseHashes(db, state.base, objectType, externalIds)) found.set(r.external_id, r.hash);
  if (state.overlay) {
    // What delta syncs changed since the base wins over it; a null hash is a deletion.
    for (const r of await stateQueries.overlayHashes(db, state.integrationId, objectType, externalIds)) {
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
export async function recompareOutcomes(tx: Executor, exec: SyncExecutionRow, state: StateRef): Promise<void> {
  const moved: Record<StagedOutcome, string[]> = { created: [], updated: [], unchanged: [] };
  let after = 0;
  for (;;) {
    const rows = await stateQueries.stagedRowsAfter(tx, exec.id, after, RECOMPARE_BATCH);
    if (rows.length === 0) break;
    after = Number(rows[rows.length - 1].id);
    const byType = new Map<ObjectType, (typeof rows)[number][]>();
    for (const r of rows) {
      const typed = byType.get(r.object_type);
      if (typed) typed.push(r);
      else byType.set(r.object_type, [r]);
    }
    for (const [objectType, typed] of byType) {
      const current = await currentHashes(
        tx,
        state,
        objectType,
        typed.map((r) => r.external_id),
      );
      for (const r of typed) {
        const outcome = outcomeOf(current.get(r.external_id), r.hash);
        if (outcome !== r.outcome) moved[outcome].push(r.id);
      }
    }
  }
  for (const outcome of STAGED_OUTCOMES) {
    const ids = moved[outcome];
    for (let i = 0; i < ids.length; i += 10_000) await stateQueries.setStagedOutcome(tx, exec.id, outcome, ids.slice(i, i + 10_000));
  }
}

/**
 * Locks the integration's state row for this transaction (creating it on
 * first use) and returns its version: applies of one integration serialise here.
 */
export async function lockState(tx: Executor, exec: SyncExecutionRow): Promise<StateRef> {
  await stateQueries.lockIdentityState(tx, exec.integrationId, exec.tenantId);
  return readState(tx, exec.integrationId);
}

/** Records logged as deleted by an apply, per object type. */
export type Deletions = Partial<Record<ObjectType, number>>;

async function logDeletions(tx: Executor, exec: SyncExecutionRow, scope: stateQueries.DeletionScope): Promise<Deletions> {
  const deleted: Deletions = {};
  for (const r of await stateQueries.logDeletions(tx, exec, scope)) deleted[r.object_type] = r.n;
  return deleted;
}

/**
 * A full sync replaces the current state: what the state held and the sync
 * did not see is logged as deleted, then the sync becomes the base and the
 * overlay is cleared.
 */
export async function applyFull(tx: Executor, exec: SyncExecutionRow, known?: SyncCounts): Promise<Deletions> {
  // Every staged row found in the state matched one of its objects (keys are unique once
  // duplicates are dropped): when they account for the whole state, nothing was deleted
  // and the pass over the whole state is skipped. The worker counted the matches while it
  // staged them; a run compared again at apply counts them here.
  const current = await stateQueries.countCurrentObjects(tx, exec.integrationId);
  const matched = known
    ? Object.values(known).reduce((n, c) => n + (c?.updated ?? 0) + (c?.unchanged ?? 0), 0)
    : await stateQueries.countMatchedStaged(tx, exec.id);
  const deleted = matched < current ? await logDeletions(tx, exec, stateQueries.ALL_OBJECTS) : {};
  await stateQueries.makeBase(tx, exec.integrationId, exec.id);
  return deleted;
}

/**
 * A delta sync changes the current state through the overlay: new and
 * changed objects point at this sync's staged rows. A group read in a delta
 * comes with its complete member list, so its members the delta no longer
 * lists are deleted.
 */
export async function applyDelta(tx: Executor, exec: SyncExecutionRow): Promise<Deletions> {
  let deleted: Deletions = {};
  // The delta's groups steer which memberships are compared: read first and passed as an
  // array, so no join between two sets the planner cannot size.
  const groups = await stateQueries.stagedGroupIds(tx, exec.id);
  if (groups.length > 0) {
    deleted = await logDeletions(tx, exec, stateQueries.membershipsOfGroups(groups));
    await stateQueries.overlayDeletions(tx, exec);
  }
  await stateQueries.overlayChanges(tx, exec);
  return deleted;
}
