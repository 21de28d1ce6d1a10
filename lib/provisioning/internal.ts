/**
 * Queueing provisioning tasks inside another service's transaction: a manual
 * operation, a batch row, a campaign's revoke, an expired grant, a retry. A
 * low module like lib/syncs/queue.ts: it checks no permission (its callers
 * have), and refuses only what no caller may do, such as writing to an
 * application whose provisioning is switched off.
 */
import "server-only";
import type { Executor } from "@/db/client";
import { queueLedgerRecord, queueLedgerRecords } from "@/db/queries/ledger";
import * as queries from "@/db/queries/provisioning";
import type { ProvisioningBindings, ProvisioningRequest, ProvisioningResponse, ProvisioningStep } from "@/db/schema/provisioning";
import type { ServiceContext } from "@/lib/auth/context";
import type { ProvisioningAction, ProvisioningSource, ProvisioningSourceRefType } from "@/lib/domain/enums";
import { AppError } from "@/lib/errors";
import { hashOf, taskRecord } from "./record";
import { afterTasksFinished, afterTaskTransition, type TaskEvent } from "./remediation-follow";
import { objectTypeOf, type TaskParameters } from "./schemas";

/** Wakes the provisioning workers when a task is queued; carries nothing. */
export const PROVISIONING_QUEUED_CHANNEL = "provisioning_queued";

export type TaskInput = {
  integrationId: string;
  action: ProvisioningAction;
  account: { username: string; externalId?: string | null };
  parameters: TaskParameters;
  source: ProvisioningSource;
  sourceRef?: { type: ProvisioningSourceRefType; id: string };
  batch?: { id: string; line: number };
  expiresAt?: string | null;
  retryOfId?: string;
};

/** The object's name as the list shows it: the username, and for a membership the group too. */
export function objectNameOf(input: Pick<TaskInput, "account" | "parameters" | "action">): string {
  const group = input.parameters.group;
  return objectTypeOf(input.action) === "membership" && group
    ? `${input.account.username} → ${group.name || group.externalId}`
    : input.account.username;
}

/** Refuses, naming the integration, when its provisioning is off: no task and no log then. */
export async function requireProvisioningEnabled(tx: Executor, tenantId: string, integration: { id: string; name: string }) {
  const settings = await queries.getProvisioningSettings(tx, tenantId, integration.id);
  if (!settings?.enabled) {
    throw new AppError(
      "conflict:provisioning_disabled",
      `Provisioning is switched off for "${integration.name}": nothing was sent. An admin or operator can switch it on under the integration's Provisioning settings.`,
    );
  }
  return settings;
}

function initiator(ctx: ServiceContext) {
  return { initiatorType: ctx.actor.type, initiatorId: ctx.actor.id ?? null, initiatorName: ctx.actor.name };
}

function row(ctx: ServiceContext, input: TaskInput): queries.NewProvisioningTask {
  return {
    tenantId: ctx.tenantId,
    integrationId: input.integrationId,
    objectType: objectTypeOf(input.action),
    action: input.action,
    objectKey: input.account.username.toLowerCase(),
    objectName: objectNameOf(input),
    accountExternalId: input.account.externalId ?? null,
    groupExternalId: input.parameters.group?.externalId ?? null,
    groupName: input.parameters.group?.name ?? null,
    source: input.source,
    sourceRefType: input.sourceRef?.type ?? (input.batch ? "batch" : null),
    sourceRefId: input.sourceRef?.id ?? input.batch?.id ?? null,
    ...initiator(ctx),
    parameters: input.parameters,
    retryOfId: input.retryOfId ?? null,
    batchId: input.batch?.id ?? null,
    batchLine: input.batch?.line ?? null,
    expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
    steps: [{ at: new Date().toISOString(), message: `Queued by ${ctx.actor.name}` }],
  };
}

/** Queues one task in the caller's transaction; the workers are told when it commits. */
export async function enqueueTask(tx: Executor, ctx: ServiceContext, input: TaskInput) {
  const task = await queries.insertTask(tx, row(ctx, input));
  await queries.notifyTaskQueued(tx);
  return task;
}

/** Queues many tasks (a batch) in one statement. */
export async function enqueueTasks(tx: Executor, ctx: ServiceContext, inputs: TaskInput[]) {
  const ids = await queries.insertTasks(
    tx,
    inputs.map((i) => row(ctx, i)),
  );
  if (ids.length) await queries.notifyTaskQueued(tx);
  return ids;
}

/* ---- Finishing a task: shared by the worker, the callback endpoint, the sweep and the service ---- */

export type { TaskEvent } from "./remediation-follow";

/** What a task's move means elsewhere, in the same transaction: the campaign items it carries out follow it. */
export async function runTaskFinishedHooks(tx: Executor, task: queries.ProvisioningTaskRow, event: TaskEvent) {
  await afterTaskTransition(tx, task, event);
}

export const step = (message: string, level?: ProvisioningStep["level"]): ProvisioningStep => ({
  at: new Date().toISOString(),
  message,
  ...(level ? { level } : {}),
});

export type Finish = {
  outcome: "success" | "failed" | "no_callback";
  message?: string | null;
  request?: ProvisioningRequest | null;
  response?: ProvisioningResponse | null;
  bindings?: ProvisioningBindings | null;
  accountExternalId?: string | null;
  steps?: ProvisioningStep[];
};

/** The row's changes that end a task with its outcome. */
function finishChanges(f: Finish) {
  const changes: Partial<queries.NewProvisioningTask> & { endNow: boolean } = {
    status: f.outcome,
    outcome: f.outcome,
    workerId: null,
    heartbeatAt: null,
    endNow: true,
  };
  if (f.message !== undefined) changes.message = f.message;
  if (f.request !== undefined) Object.assign(changes, { request: f.request, requestHash: hashOf(f.request) });
  if (f.response !== undefined) Object.assign(changes, { response: f.response, responseHash: hashOf(f.response) });
  if (f.bindings !== undefined) changes.bindings = f.bindings;
  if (f.accountExternalId) changes.accountExternalId = f.accountExternalId;
  return changes;
}

/**
 * Ends a task with its outcome inside the caller's transaction: the row, its
 * ledger record, and on success of a delete or revoke the platform's own side.
 * Answers null when the task was no longer the caller's to end (another
 * worker, a callback or a confirm got there first).
 */
export async function finishTask(
  tx: Executor,
  task: queries.ProvisioningTaskRow,
  f: Finish,
  opts: queries.TaskGuard = { whenStatus: ["running"] },
): Promise<queries.ProvisioningTaskRow | null> {
  const ended = await queries.updateTask(tx, task.id, finishChanges(f), [...(f.steps ?? [])], opts);
  if (!ended) return null;
  await queueLedgerRecord(tx, {
    tenantId: ended.tenantId,
    kind: "provisioning_task",
    refId: ended.id,
    record: taskRecord(ended),
    createdAt: ended.endedAt!.toISOString(),
  });
  let row = ended;
  if (f.outcome === "success") row = (await applyPlatformSide(tx, ended)) ?? ended;
  await runTaskFinishedHooks(tx, row, f.outcome);
  return row;
}

/**
 * finishTask for a worker lane's batch, in one transaction: the rows' updates
 * go out pipelined, their ledger records in one statement with one wake-up of
 * the sealer, and the campaign items follow in one statement per outcome.
 * Answers, per item, the ended row or null as finishTask does.
 */
export async function finishTasks(
  tx: Executor,
  items: { task: queries.ProvisioningTaskRow; finish: Finish }[],
  opts: queries.TaskGuard,
): Promise<(queries.ProvisioningTaskRow | null)[]> {
  const ended = await Promise.all(
    items.map(({ task, finish }) => queries.updateTask(tx, task.id, finishChanges(finish), [...(finish.steps ?? [])], opts)),
  );
  await queueLedgerRecords(
    tx,
    ended.flatMap((row) =>
      row
        ? [
            {
              tenantId: row.tenantId,
              kind: "provisioning_task" as const,
              refId: row.id,
              record: taskRecord(row),
              createdAt: row.endedAt!.toISOString(),
            },
          ]
        : [],
    ),
  );
  const out: (queries.ProvisioningTaskRow | null)[] = [];
  for (const [i, row] of ended.entries()) {
    out.push(row && items[i].finish.outcome === "success" ? ((await applyPlatformSide(tx, row)) ?? row) : row);
  }
  await afterTasksFinished(
    tx,
    out.flatMap((row, i) => (row ? [{ task: row, event: items[i].finish.outcome }] : [])),
  );
  return out;
}

/**
 * SyncLedger's own side of a removal that is done (succeeded or confirmed):
 * an account deletion takes the account and its memberships out of the
 * integration's current state, a revoke the membership, so the next sync
 * agrees instead of reporting them as deleted then.
 */
export async function applyPlatformSide(tx: Executor, task: queries.ProvisioningTaskRow) {
  const removesAccount = task.objectType === "account" && task.action === "delete";
  const removesMembership = task.objectType === "membership" && task.action === "revoke";
  if (!removesAccount && !removesMembership) return null;
  const username = usernameOf(task);
  const account = task.accountExternalId ?? (await queries.accountExternalIdByUsername(tx, task.integrationId, username));
  if (!account) {
    return queries.updateTask(tx, task.id, {}, [
      step(`${username} is not in SyncLedger's current state of this application; nothing to remove there.`),
    ]);
  }
  const removed = await queries.removeFromCurrentState(
    tx,
    { tenantId: task.tenantId, integrationId: task.integrationId },
    removesAccount ? { accounts: [account] } : { memberships: [{ group: task.groupExternalId ?? "", member: account }] },
  );
  return queries.updateTask(tx, task.id, {}, [
    step(
      removed
        ? `Removed ${removesAccount ? `the account and its memberships (${removed} object${removed === 1 ? "" : "s"})` : "the membership"} from SyncLedger's current state of this application.`
        : `${task.objectName} was already absent from SyncLedger's current state of this application.`,
    ),
  ]);
}

/** The account's username as it was given (the object key is lower-cased). */
export function usernameOf(task: Pick<queries.ProvisioningTaskRow, "objectType" | "objectName" | "objectKey" | "parameters">): string {
  if (task.objectType === "account") return task.objectName;
  const group = (task.parameters as TaskParameters).group;
  const suffix = group ? ` → ${group.name || group.externalId}` : "";
  return suffix && task.objectName.endsWith(suffix) ? task.objectName.slice(0, -suffix.length) : task.objectKey;
}
