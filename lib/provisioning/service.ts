/**
 * Provisioning use cases: an integration's provisioning settings, manual
 * operations, and reading the Synchronization Logs. Every function
 * authorizes first; writes are one transaction with their audit event.
 */
import "server-only";
import { z } from "zod";
import { getDb } from "@/db/client";
import { getIntegration } from "@/db/queries/integrations";
import { queueLedgerRecord } from "@/db/queries/ledger";
import * as queries from "@/db/queries/provisioning";
import * as uploadQueries from "@/db/queries/uploads";
import { recordAuditEvent } from "@/lib/audit/service";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { getConnector } from "@/lib/connectors/registry";
import { hostProblem } from "@/lib/connectors/network-policy";
import { decryptJson, encryptJson } from "@/lib/crypto/secrets";
import {
  PROVISIONING_ACTION_LABELS,
  PROVISIONING_MODE_LABELS,
  PROVISIONING_STATUS_LABELS,
  type ProvisioningMode,
} from "@/lib/domain/enums";
import { AppError } from "@/lib/errors";
import { isUuid, parseInput, validationError } from "@/lib/validation";
import { applyPlatformSide, enqueueTask, requireProvisioningEnabled, runTaskFinishedHooks, step, usernameOf } from "./internal";
import { confirmationRecord } from "./record";
import {
  checkParameters,
  confirmTaskSchema,
  manualOperationSchema,
  provisioningSettingsSchema,
  retryTaskSchema,
  taskFiltersSchema,
  taskParametersSchema,
} from "./schemas";

export { handleCallback } from "./callback";

const notFound = (): never => {
  throw new AppError("not_found:integration", "No such integration.");
};
const taskNotFound = (): never => {
  throw new AppError("not_found:provisioning_task", "No such provisioning task.");
};

/** The modes an integration's connector allows: its own connector only where it can write. */
export function modesFor(connector: Parameters<typeof getConnector>[0]): ProvisioningMode[] {
  return getConnector(connector).provisioner ? ["connector", "callback", "manual"] : ["callback", "manual"];
}

/** An integration's provisioning settings as the form and the API see them: the callback token only as "set". */
export async function getProvisioningSettings(ctx: ServiceContext, integrationId: string) {
  authorize(ctx, "provisioning:read");
  if (!isUuid(integrationId)) notFound();
  const db = getDb();
  const integration = (await getIntegration(db, ctx.tenantId, integrationId)) ?? notFound();
  const row = await queries.getProvisioningSettings(db, ctx.tenantId, integrationId);
  const modes = modesFor(integration.connector);
  const secrets = row?.secrets ? decryptJson(row.secrets, integrationId) : {};
  const callback = (row?.settings.callback as { url?: string } | undefined) ?? null;
  return {
    integration: { id: integration.id, name: integration.name, connector: integration.connector },
    enabled: row?.enabled ?? false,
    mode: row?.mode ?? modes[0],
    modes,
    settings: row?.settings ?? {},
    callback: callback?.url ? { url: callback.url, hasToken: typeof secrets.token === "string" } : null,
    callbackTimeoutMinutes: Math.round((row?.callbackTimeoutSeconds ?? 3600) / 60),
    actions: getConnector(integration.connector).provisioner?.actions ?? null,
    updatedAt: row?.updatedAt ?? null,
  };
}

export async function updateProvisioningSettings(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "provisioning:write");
  const data = parseInput(provisioningSettingsSchema, input);
  return getDb().transaction(async (tx) => {
    const integration = (await getIntegration(tx, ctx.tenantId, data.integrationId, { lock: true })) ?? notFound();
    const connector = getConnector(integration.connector);
    if (!modesFor(integration.connector).includes(data.mode)) {
      throw validationError({ mode: [`${connector.label} cannot be provisioned "${PROVISIONING_MODE_LABELS[data.mode]}"`] });
    }
    const before = await queries.getProvisioningSettings(tx, ctx.tenantId, integration.id);
    let settings: Record<string, unknown> = {};
    if (data.mode === "connector" && connector.provisioner) {
      const parsed = connector.provisioner.settingsSchema.safeParse(data.settings);
      if (!parsed.success) {
        throw validationError(Object.fromEntries(parsed.error.issues.map((i) => [`settings.${i.path.join(".")}`, [i.message]])));
      }
      settings = parsed.data;
    }
    const oldSecrets = before?.secrets ? decryptJson(before.secrets, integration.id) : {};
    let secrets: Record<string, unknown> = {};
    if (data.mode === "callback" && data.callback) {
      const problem = hostProblem(data.callback.url);
      if (problem) throw validationError({ "callback.url": [problem] });
      settings = { callback: { url: data.callback.url } };
      // A blank token keeps the stored one; the form never shows it back.
      secrets = data.callback.token ? { token: data.callback.token } : oldSecrets;
    }
    const row = await queries.upsertProvisioningSettings(tx, {
      integrationId: integration.id,
      tenantId: ctx.tenantId,
      enabled: data.enabled,
      mode: data.mode,
      settings,
      secrets: Object.keys(secrets).length ? encryptJson(secrets, integration.id) : null,
      callbackTimeoutSeconds: data.callbackTimeoutMinutes * 60,
    });
    const view = (r: typeof before) =>
      r
        ? {
            enabled: r.enabled,
            mode: r.mode,
            settings: JSON.stringify(r.settings),
            callbackToken: r.secrets ? "(set)" : null,
            callbackTimeoutSeconds: r.callbackTimeoutSeconds,
          }
        : null;
    await recordAuditEvent(tx, ctx, {
      entityType: "ProvisioningSettings",
      action: "Update",
      entityId: integration.id,
      entityName: integration.name,
      details: `${row.enabled ? "Switched on" : "Switched off"} provisioning for "${integration.name}" (${PROVISIONING_MODE_LABELS[row.mode]})`,
      before: view(before),
      after: view(row),
    });
    return { enabled: row.enabled, mode: row.mode };
  });
}

/** A manual operation (account page, API): one task, queued for the workers. */
export async function createManualTask(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "provisioning:write");
  const op = parseInput(manualOperationSchema, input);
  return getDb().transaction(async (tx) => {
    const integration = (await getIntegration(tx, ctx.tenantId, op.integrationId)) ?? notFound();
    await requireProvisioningEnabled(tx, ctx.tenantId, integration);
    const { integrationId, action, account, expiresAt, ...parameters } = op;
    const task = await enqueueTask(tx, ctx, {
      integrationId,
      action,
      account,
      parameters,
      source: "manual",
      expiresAt: expiresAt ?? null,
    });
    await recordAuditEvent(tx, ctx, {
      entityType: "ProvisioningTask",
      action: "Create",
      entityId: task.id,
      entityName: task.objectName,
      details: `Queued "${PROVISIONING_ACTION_LABELS[action]}" of ${task.objectName} on "${integration.name}"`,
      after: { action, object: task.objectName, integration: integration.name, parameters: JSON.stringify(parameters) },
    });
    return { id: task.id, status: task.status };
  });
}

/** A page of the Synchronization Logs, newest first; `next` is the cursor of the following page. */
export async function listTasks(ctx: ServiceContext, input: unknown = {}) {
  authorize(ctx, "provisioning:read");
  const { after, limit, ...filters } = parseInput(taskFiltersSchema, input);
  const rows = await queries.listTasks(getDb(), ctx.tenantId, filters, { afterSeq: after, limit: limit + 1 });
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? items.at(-1)!.seq : null };
}

/** One task with everything the View and View Details panels show. */
export async function getTask(ctx: ServiceContext, id: string) {
  authorize(ctx, "provisioning:read");
  if (!isUuid(id)) taskNotFound();
  const db = getDb();
  const task = (await queries.getTask(db, ctx.tenantId, id)) ?? taskNotFound();
  const integration = await getIntegration(db, ctx.tenantId, task.integrationId, { includeDeleted: true });
  const { callbackTokenHash: _hidden, workerId: _w, ...view } = task;
  return { ...view, integrationName: integration?.name ?? "(deleted integration)" };
}
export type ProvisioningTaskView = Awaited<ReturnType<typeof getTask>>;

/** A running task that waits for a person: manual mode, no worker on it and no callback URL out. */
function waitsForPerson(task: queries.ProvisioningTaskRow) {
  return task.status === "running" && task.workerId === null && task.callbackTokenHash === null;
}

/**
 * Confirm: someone states that a failed, unanswered or manual operation is
 * done on the target. Records who, when, why and the evidence files; is an
 * audit event and a ledger entry; carries out SyncLedger's own side (a
 * deleted account leaves the current state); releases the tasks it held.
 */
export async function confirmTask(ctx: ServiceContext, id: string, input: unknown) {
  authorize(ctx, "provisioning:write");
  if (!isUuid(id)) taskNotFound();
  const data = parseInput(confirmTaskSchema, input);
  const uploadIds = [...new Set(data.uploadIds)];
  const uploads = await uploadQueries.findUploadsById(getDb(), ctx.tenantId, uploadIds);
  const byId = new Map(uploads.map((u) => [u.id, u]));
  for (const uploadId of uploadIds) {
    const upload = byId.get(uploadId);
    if (upload?.purpose !== "evidence") {
      throw new AppError("unprocessable:validation", `Uploaded file ${uploadId} was not found; upload it again.`, {
        uploadIds: ["An uploaded file was not found; upload it again."],
      });
    }
    if (upload.attachedAt)
      throw new AppError("conflict:upload_attached", `"${upload.filename}" is already attached elsewhere; upload it again.`);
  }
  return getDb().transaction(async (tx) => {
    const task = (await queries.getTask(tx, ctx.tenantId, id, { lock: true })) ?? taskNotFound();
    if (!(task.status === "failed" || task.status === "no_callback" || waitsForPerson(task))) {
      throw new AppError(
        "conflict:provisioning_task_not_confirmable",
        `This task is ${PROVISIONING_STATUS_LABELS[task.status]}: only a failed or no-callback task, or a manual task waiting for someone, can be confirmed.`,
      );
    }
    if (uploadIds.length && (await uploadQueries.claimUploads(tx, ctx.tenantId, uploadIds)) !== uploadIds.length) {
      throw new AppError("conflict:upload_attached", "A file was attached elsewhere at the same moment; upload it again.");
    }
    const evidence = uploadIds.map((u) => {
      const f = byId.get(u)!;
      return { name: f.filename, size: Number(f.size), contentType: f.contentType, sha256: f.sha256, objectKey: f.objectKey };
    });
    const now = new Date();
    const confirmed =
      (await queries.updateTask(
        tx,
        task.id,
        {
          status: "confirmed",
          workerId: null,
          heartbeatAt: null,
          confirmedById: ctx.actor.id ?? null,
          confirmedByName: ctx.actor.name,
          confirmedAt: now,
          confirmReason: data.reason,
          confirmEvidence: evidence,
          ...(task.endedAt ? {} : { endedAt: now }),
        },
        [
          step(
            `Confirmed by ${ctx.actor.name}: ${data.reason}${evidence.length ? ` (${evidence.length} evidence file${evidence.length === 1 ? "" : "s"})` : ""}`,
          ),
        ],
        { whenStatus: [task.status] },
      )) ?? taskNotFound();
    await queueLedgerRecord(tx, {
      tenantId: ctx.tenantId,
      kind: "provisioning_confirmation",
      refId: confirmed.id,
      record: confirmationRecord(confirmed),
      createdAt: now.toISOString(),
    });
    const row = (await applyPlatformSide(tx, confirmed)) ?? confirmed;
    await runTaskFinishedHooks(tx, row, "confirmed");
    const released = await queries.countHeldBehind(tx, row);
    if (released) await queries.notifyTaskQueued(tx);
    await recordAuditEvent(tx, ctx, {
      entityType: "ProvisioningTask",
      action: "Confirm",
      entityId: task.id,
      entityName: task.objectName,
      details: `Confirmed "${PROVISIONING_ACTION_LABELS[task.action]}" of ${task.objectName} (was ${PROVISIONING_STATUS_LABELS[task.status]}): ${data.reason}`,
      before: { status: task.status },
      after: { status: "confirmed", reason: data.reason, evidence: evidence.map((e) => `${e.name} (${e.sha256.slice(0, 12)}…)`) },
    });
    return { id: task.id, status: "confirmed" as const, released };
  });
}

/**
 * Retry After Modification: a failed or unanswered task runs again with
 * edited parameters, as a new task in the original's place on its object;
 * the original becomes superseded.
 */
export async function retryTask(ctx: ServiceContext, id: string, input: unknown) {
  authorize(ctx, "provisioning:write");
  if (!isUuid(id)) taskNotFound();
  parseInput(retryTaskSchema, input);
  return getDb().transaction(async (tx) => {
    const task = (await queries.getTask(tx, ctx.tenantId, id, { lock: true })) ?? taskNotFound();
    const { parameters } = parseInput(
      z.object({ parameters: taskParametersSchema }).superRefine((v, c) => checkParameters(task.action, v.parameters, c)),
      input,
    );
    if (task.status !== "failed" && task.status !== "no_callback") {
      throw new AppError(
        "conflict:provisioning_task_not_retryable",
        `This task is ${PROVISIONING_STATUS_LABELS[task.status]}: only a failed or no-callback task can be retried.`,
      );
    }
    const integration = (await getIntegration(tx, ctx.tenantId, task.integrationId)) ?? notFound();
    await requireProvisioningEnabled(tx, ctx.tenantId, integration);
    const retry = await enqueueTask(tx, ctx, {
      integrationId: task.integrationId,
      action: task.action,
      account: { username: usernameOf(task), externalId: task.accountExternalId },
      parameters,
      source: "retry_after_modification",
      sourceRef: { type: "task", id: task.id },
      // The first task of the chain: the order on the object is its place.
      retryOfId: task.retryOfId ?? task.id,
      expiresAt: task.expiresAt && task.expiresAt > new Date() ? task.expiresAt.toISOString() : null,
    });
    const superseded = await queries.updateTask(
      tx,
      task.id,
      { status: "superseded" },
      [step(`Superseded by a retry with modified parameters (task ${retry.id}), queued by ${ctx.actor.name}.`)],
      { whenStatus: [task.status] },
    );
    if (superseded) await runTaskFinishedHooks(tx, superseded, "superseded");
    await recordAuditEvent(tx, ctx, {
      entityType: "ProvisioningTask",
      action: "Retry",
      entityId: retry.id,
      entityName: task.objectName,
      details: `Retried "${PROVISIONING_ACTION_LABELS[task.action]}" of ${task.objectName} on "${integration.name}" with modified parameters`,
      before: { task: task.id, status: task.status, parameters: JSON.stringify(task.parameters) },
      after: { task: retry.id, status: retry.status, parameters: JSON.stringify(parameters) },
    });
    return { id: retry.id, status: retry.status, retryOfId: task.id };
  });
}

/** Cancels a task that has not started; the tasks it held on its object go ahead. */
export async function cancelTask(ctx: ServiceContext, id: string) {
  authorize(ctx, "provisioning:write");
  if (!isUuid(id)) taskNotFound();
  return getDb().transaction(async (tx) => {
    const task = (await queries.getTask(tx, ctx.tenantId, id, { lock: true })) ?? taskNotFound();
    if (task.status !== "pending") {
      throw new AppError(
        "conflict:provisioning_task_not_cancellable",
        `This task is ${PROVISIONING_STATUS_LABELS[task.status]}: only a pending task can be cancelled.`,
      );
    }
    const cancelled =
      (await queries.updateTask(
        tx,
        task.id,
        { status: "cancelled", endedAt: new Date() },
        [step(`Cancelled by ${ctx.actor.name}; nothing was sent.`)],
        { whenStatus: ["pending"] },
      )) ?? taskNotFound();
    await runTaskFinishedHooks(tx, cancelled, "cancelled");
    if (await queries.countHeldBehind(tx, cancelled)) await queries.notifyTaskQueued(tx);
    await recordAuditEvent(tx, ctx, {
      entityType: "ProvisioningTask",
      action: "Cancel",
      entityId: task.id,
      entityName: task.objectName,
      details: `Cancelled "${PROVISIONING_ACTION_LABELS[task.action]}" of ${task.objectName} before it ran`,
      before: { status: "pending" },
      after: { status: "cancelled" },
    });
    return { id: task.id, status: "cancelled" as const };
  });
}
