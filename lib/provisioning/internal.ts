/**
 * Queueing provisioning tasks inside another service's transaction: a manual
 * operation, a batch row, a campaign's revoke, an expired grant, a retry. A
 * low module like lib/syncs/queue.ts: it checks no permission (its callers
 * have), and refuses only what no caller may do, such as writing to an
 * application whose provisioning is switched off.
 */
import "server-only";
import type { Executor } from "@/db/client";
import * as queries from "@/db/queries/provisioning";
import type { ServiceContext } from "@/lib/auth/context";
import type { ProvisioningAction, ProvisioningSource, ProvisioningSourceRefType } from "@/lib/domain/enums";
import { AppError } from "@/lib/errors";
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
