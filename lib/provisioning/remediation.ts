/**
 * Access Compliance Review as a provisioning source: a completed campaign's
 * revoke decisions become revoke tasks, each item follows its task, and the
 * next sync of the application that no longer sees what was revoked proves
 * the removal (the item is then "removal verified" with that sync's id).
 *
 * What a revoke becomes on the target:
 * - a membership item: the revoke of that group membership;
 * - an account item: `disable`, not `delete`. A review decides that a person
 *   should lose access, which disabling achieves at once and reversibly: a
 *   revoke decided in error is undone by enabling, and the account's history,
 *   attributes and ownership on the target are kept for whoever investigates.
 *   Deleting is a retention decision the account policies own;
 * - a group, role or entitlement item: not an operation on an account (the
 *   review says the object itself should go, which no connector deletes), so
 *   it stays `pending` for someone to carry out by hand, and the completion
 *   message says so.
 * Integrations whose provisioning is off send nothing: their items stay
 * `pending` too, as before provisioning existed.
 */
import "server-only";
import type { Executor } from "@/db/client";
import * as queries from "@/db/queries/remediation";
import type { ServiceContext } from "@/lib/auth/context";
import type { ObjectType } from "@/lib/domain/enums";
import { plural } from "@/lib/format";
import { readState } from "@/lib/syncs/state";
import { enqueueTasks, type TaskInput } from "./internal";
export { afterTaskTransition } from "./remediation-follow";

/** Tasks queued per statement: an insert of many rows is bounded by Postgres's 65,535 parameters. */
const CHUNK = 1000;

function revokeTaskOf(item: queries.RevokeItemRow): TaskInput | null {
  const ref = { type: "campaign_item" as const, id: String(item.id) };
  if (item.objectType === "membership") {
    const accountExternalId = item.accountExternalId;
    const username = item.accountName ?? accountExternalId;
    if (!username || !item.targetExternalId) return null;
    return {
      integrationId: item.integrationId,
      action: "revoke",
      account: { username, externalId: accountExternalId },
      parameters: { group: { externalId: item.targetExternalId, name: item.targetName } },
      source: "access_review",
      sourceRef: ref,
    };
  }
  if (item.objectType === "account") {
    return {
      integrationId: item.integrationId,
      action: "disable",
      account: { username: item.accountName ?? item.externalId, externalId: item.accountExternalId ?? item.externalId },
      parameters: {},
      source: "access_review",
      sourceRef: ref,
    };
  }
  return null;
}

export type RevokesQueued = { queued: number; notProvisioned: number; notAccountOperations: number; note: string | null };

/**
 * In the completion's transaction: queues one revoke task per revoked
 * account or membership of a provisioned integration and hands the item to
 * it (`in_progress`). Returns the counts and a sentence for the completion
 * message about what stays pending and why.
 */
export async function queueCampaignRevokes(tx: Executor, ctx: ServiceContext, campaignId: string): Promise<RevokesQueued> {
  const items = await queries.pendingRevokesOf(tx, ctx.tenantId, campaignId);
  const queueable: { item: queries.RevokeItemRow; task: TaskInput }[] = [];
  let notProvisioned = 0;
  let notAccountOperations = 0;
  for (const item of items) {
    const task = revokeTaskOf(item);
    if (!task) notAccountOperations++;
    else if (!item.provisioned) notProvisioned++;
    else queueable.push({ item, task });
  }
  for (let start = 0; start < queueable.length; start += CHUNK) {
    const slice = queueable.slice(start, start + CHUNK);
    const ids = await enqueueTasks(
      tx,
      ctx,
      slice.map((q) => q.task),
    );
    // seq is taken per row in the order the rows were given.
    const bySeq = [...ids].sort((a, b) => a.seq - b.seq);
    await queries.setRemediationTasks(
      tx,
      ctx.tenantId,
      slice.map((q, i) => ({ itemId: q.item.id, taskId: bySeq[i].id })),
    );
  }
  const left: string[] = [];
  if (notProvisioned)
    left.push(`${plural(notProvisioned, "revoke")} on applications without provisioning stay pending, to be carried out by hand`);
  if (notAccountOperations)
    left.push(
      `${plural(notAccountOperations, "revoke")} of groups, roles or entitlements themselves stay pending: they are not account operations and are carried out by hand`,
    );
  return {
    queued: queueable.length,
    notProvisioned,
    notAccountOperations,
    note: left.length ? left.join("; ") : null,
  };
}

/**
 * The closed loop: in the apply transaction of a sync, every carried-out
 * revoke of that integration whose object the new current state no longer
 * holds (a removed membership, an account gone or disabled) becomes
 * verified by that sync. Returns how many.
 */
export async function verifyRemediations(tx: Executor, sync: { id: string; integrationId: string }) {
  const items = await queries.remediatedItemsOf(tx, sync.integrationId);
  if (items.length === 0) return 0;
  const state = await readState(tx, sync.integrationId);
  const byType = new Map<ObjectType, (typeof items)[number][]>();
  for (const item of items) {
    const typed = byType.get(item.objectType);
    if (typed) typed.push(item);
    else byType.set(item.objectType, [item]);
  }
  const verified: number[] = [];
  for (const [objectType, typed] of byType) {
    const current = await queries.currentObjects(
      tx,
      state,
      objectType,
      typed.map((i) => i.externalId),
    );
    for (const item of typed) {
      const gone = !current.has(item.externalId);
      const disabled = objectType === "account" && current.get(item.externalId) === "disabled";
      if (gone || disabled) verified.push(item.id);
    }
  }
  await queries.markVerified(tx, verified, sync.id);
  return verified.length;
}
