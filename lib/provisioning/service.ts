/**
 * Provisioning use cases: an integration's provisioning settings, manual
 * operations, and reading the Synchronization Logs. Every function
 * authorizes first; writes are one transaction with their audit event.
 */
import "server-only";
import { getDb } from "@/db/client";
import { getIntegration } from "@/db/queries/integrations";
import * as queries from "@/db/queries/provisioning";
import { recordAuditEvent } from "@/lib/audit/service";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { getConnector } from "@/lib/connectors/registry";
import { hostProblem } from "@/lib/connectors/network-policy";
import { decryptJson, encryptJson } from "@/lib/crypto/secrets";
import { PROVISIONING_ACTION_LABELS, PROVISIONING_MODE_LABELS, type ProvisioningMode } from "@/lib/domain/enums";
import { AppError } from "@/lib/errors";
import { isUuid, parseInput, validationError } from "@/lib/validation";
import { enqueueTask, requireProvisioningEnabled } from "./internal";
import { manualOperationSchema, provisioningSettingsSchema, taskFiltersSchema } from "./schemas";

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
