/**
 * Integrations (connection profiles): create, edit, test, (de)activate,
 * delete; their mapping configs and extraction cursors. Secrets are split off
 * and encrypted, never returned. Saving a configuration starts a sync in the
 * same transaction when the caller may start syncs (else the answer says none
 * was started), a save that changes nothing starts none, and every change is
 * audited with a redacted diff.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { sha256Hex } from "@/lib/crypto/hash";
import { getDb, type Executor } from "@/db/client";
import * as queries from "@/db/queries/integrations";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/service";
import { diffRecords } from "@/lib/audit/diff";
import {
  assertEndpointsAllowed,
  endpointErrors,
  getConnector,
  isConnectorType,
  mergeSecrets,
  redactSecrets,
  secretsToRetype,
} from "@/lib/connectors/registry";
import { ConnectorError, type ConnectorType, type ObjectType } from "@/lib/connectors/types";
import { decryptJson, encryptJson } from "@/lib/crypto/secrets";
import { AppError } from "@/lib/errors";
import { getObjectStore } from "@/lib/storage";
import { assertMayStartSyncForEvidence, enqueueSync, mayStartSync, SYNC_NOT_STARTED } from "@/lib/syncs/queue";
import { tenantUploadPrefix } from "@/lib/uploads/service";
import { claimUploads, findUploadsById, findUploadsByKey } from "@/db/queries/uploads";
import { attachEvidence, hasEvidence, withManifestCleanup } from "@/lib/evidence/internal";
import { prepareEvidence, type PreparedEvidence } from "@/lib/evidence/service";
import { assertNoNul, fieldErrorsOf, isUuid, parseInput, validationError } from "@/lib/validation";
import {
  createIntegrationSchema,
  cursorActionSchema,
  LOGO_URL_REFUSED,
  sendsLogoUrl,
  testConnectionSchema,
  updateIntegrationSchema,
} from "./schemas";

function notFound(): never {
  throw new AppError("not_found:integration", "No such integration.");
}

function configErrors(type: ConnectorType, config: unknown): Record<string, string[]> {
  const result = getConnector(type).configSchema.safeParse(config);
  if (result.success) return endpointErrors(type, result.data);
  return Object.fromEntries(Object.entries(fieldErrorsOf(result.error)).map(([k, v]) => [`config.${k}`, v]));
}

function invalid(fieldErrors: Record<string, string[]>): never {
  throw validationError(fieldErrors);
}

/** Validates connector settings, reporting field errors under `config.<field>`. */
function parseConfig(type: ConnectorType, config: Record<string, unknown>): Record<string, unknown> {
  const errors = configErrors(type, config);
  if (Object.keys(errors).length) invalid(errors);
  return getConnector(type).configSchema.parse(config) as Record<string, unknown>;
}

/** Checks the whole input at once, so a form shows every problem together, settings included. */
function parseCreateInput(input: unknown) {
  assertNoNul(input);
  refuseLogoUrl(input);
  const result = createIntegrationSchema.safeParse(input);
  const raw = (input ?? {}) as { connector?: unknown; config?: unknown };
  const errors = result.success ? {} : fieldErrorsOf(result.error);
  if (isConnectorType(raw.connector) && raw.config && typeof raw.config === "object") {
    Object.assign(errors, configErrors(raw.connector, raw.config));
  }
  if (!result.success || Object.keys(errors).length) invalid(errors);
  return result.data;
}

function refuseLogoUrl(input: unknown) {
  if (sendsLogoUrl(input)) throw new AppError("bad_request:logo_url", LOGO_URL_REFUSED, { logoUrl: [LOGO_URL_REFUSED] });
}

/**
 * Takes an uploaded logo for an integration: it must be this tenant's, uploaded
 * as a logo, and not in use yet. Returns its label for the audit diff.
 */
async function claimLogo(tx: Executor, tenantId: string, uploadId: string) {
  const [upload] = await findUploadsById(tx, tenantId, [uploadId]);
  const again = { logoUploadId: ["is not an uploaded logo of this tenant that is free to use; upload the image again"] };
  if (upload?.purpose !== "logo") invalid(again);
  if ((await claimUploads(tx, tenantId, [upload.id])) !== 1) invalid(again);
  return logoLabel(upload);
}

/** How a logo appears in audit diffs: its file name and the start of its SHA-256. */
function logoLabel(upload: { filename: string; sha256: string } | undefined | null): string | null {
  return upload ? `${upload.filename} (sha256 ${upload.sha256.slice(0, 12)}…)` : null;
}

async function currentLogoLabel(tx: Executor, tenantId: string, uploadId: string | null) {
  if (!uploadId) return null;
  const [upload] = await findUploadsById(tx, tenantId, [uploadId]);
  return logoLabel(upload);
}

/** A CSV integration may only read files uploaded to its own tenant. */
function assertOwnFiles(ctx: ServiceContext, type: ConnectorType, config: Record<string, unknown>) {
  if (type !== "csv") return;
  const files = (config.files ?? {}) as Record<string, string | undefined>;
  const prefix = tenantUploadPrefix(ctx.tenantId);
  const foreign = Object.entries(files).filter(([, key]) => key && !key.startsWith(prefix));
  if (foreign.length) {
    invalid(Object.fromEntries(foreign.map(([kind]) => [`config.files.${kind}`, [`must be a file uploaded to this tenant (${prefix}…)`]])));
  }
}

/** Uploaded source files in use by a saved configuration are no longer orphans. */
async function attachFiles(tx: Executor, tenantId: string, type: ConnectorType, config: Record<string, unknown>) {
  if (type !== "csv") return;
  const keys = Object.values((config.files ?? {}) as Record<string, string | undefined>).filter((k): k is string => !!k);
  const found = await findUploadsByKey(tx, tenantId, keys);
  await claimUploads(
    tx,
    tenantId,
    found.map((u) => u.id),
  );
}

function splitSecrets(type: ConnectorType, config: Record<string, unknown>) {
  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  const secretFields = getConnector(type).secretFields;
  for (const [k, v] of Object.entries(config)) (secretFields.includes(k) ? secret : plain)[k] = v;
  return { plain, secret };
}

/** A stand-in for a secret in audit diffs: equal secrets compare equal, the value never appears. */
function fingerprints(secret: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(secret).map(([k, v]) => [k, sha256Hex(String(v)).slice(0, 16)]));
}

function auditView(
  row: Pick<
    queries.IntegrationRow,
    "name" | "connector" | "config" | "active" | "scheduleMinutes" | "dropThresholdPercent" | "maxRunSeconds"
  >,
  secret: Record<string, unknown>,
) {
  return {
    name: row.name,
    connector: row.connector,
    active: row.active,
    scheduleMinutes: row.scheduleMinutes,
    dropThresholdPercent: row.dropThresholdPercent,
    maxRunMinutes: maxRunMinutes(row),
    config: { ...row.config, ...fingerprints(secret) },
  };
}

function storedSecrets(row: queries.IntegrationRow): Record<string, unknown> {
  return row.secrets ? decryptJson(row.secrets, row.id) : {};
}

/** Set in whole minutes; a row written otherwise (a test's seconds) shows at least one. */
const maxRunMinutes = (row: Pick<queries.IntegrationRow, "maxRunSeconds">) => Math.max(1, Math.round(row.maxRunSeconds / 60));

/** The integration as the browser and API see it: secrets masked. */
function publicView(row: queries.IntegrationRow, mapping: Record<string, Record<string, string>> | null) {
  const { secrets: _s, config, maxRunSeconds: _m, ...rest } = row;
  const secretFields = getConnector(row.connector).secretFields;
  const masked = Object.fromEntries(secretFields.filter(() => !!row.secrets).map((f) => [f, "********"]));
  return {
    ...rest,
    maxRunMinutes: maxRunMinutes(row),
    config: redactSecrets(row.connector, { ...config, ...masked }),
    mapping: mapping ?? {},
  };
}
export type IntegrationView = ReturnType<typeof publicView>;

function defaultMapping(type: ConnectorType) {
  return getConnector(type).defaultMapping as Record<string, Record<string, string>>;
}

export async function listIntegrations(ctx: ServiceContext) {
  authorize(ctx, "integrations:read");
  return queries.listIntegrations(getDb(), ctx.tenantId);
}

export async function getIntegration(ctx: ServiceContext, id: string) {
  authorize(ctx, "integrations:read");
  if (!isUuid(id)) notFound();
  const row = (await queries.getIntegration(getDb(), ctx.tenantId, id)) ?? notFound();
  const mapping = await queries.getMappingConfig(getDb(), ctx.tenantId, id);
  return publicView(row, mapping?.mapping ?? null);
}

export async function createIntegration(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "integrations:write");
  const data = parseCreateInput(input);
  if (hasEvidence(data.evidence)) assertMayStartSyncForEvidence(ctx);
  const config = parseConfig(data.connector, data.config);
  assertOwnFiles(ctx, data.connector, config);
  const { plain, secret } = splitSecrets(data.connector, config);
  const id = randomUUID();
  const mapping = data.mapping ?? defaultMapping(data.connector);
  const evidence = hasEvidence(data.evidence) ? await prepareEvidence(ctx, data.evidence) : null;
  return withManifestCleanup((written) =>
    getDb().transaction(async (tx) => {
      const row = await queries.insertIntegration(tx, {
        id,
        tenantId: ctx.tenantId,
        name: data.name,
        connector: data.connector,
        config: plain,
        secrets: Object.keys(secret).length ? encryptJson(secret, id) : null,
        ownerId: ctx.actor.type === "user" ? ctx.actor.id : null,
        scheduleMinutes: data.scheduleMinutes ?? null,
        nextSyncAt: data.scheduleMinutes ? new Date(Date.now() + data.scheduleMinutes * 60_000) : null,
        dropThresholdPercent: data.dropThresholdPercent,
        maxRunSeconds: data.maxRunMinutes * 60,
      });
      const logo = data.logoUploadId ? await claimLogo(tx, ctx.tenantId, data.logoUploadId) : null;
      const created = logo ? await queries.updateIntegration(tx, id, { logoUploadId: data.logoUploadId }) : row;
      await recordAuditEvent(tx, ctx, {
        entityType: "ConnectionProfile",
        action: "Create",
        entityId: id,
        entityName: row.name,
        details: `Created ${getConnector(row.connector).label} integration "${row.name}"`,
        after: { ...auditView(row, secret), logo },
      });
      await attachFiles(tx, ctx.tenantId, data.connector, config);
      await queries.upsertMappingConfig(tx, { tenantId: ctx.tenantId, integrationId: id, mapping });
      await recordAuditEvent(tx, ctx, {
        entityType: "MappingConfig",
        action: "Create",
        entityId: id,
        entityName: `${row.name} mapping`,
        details: `Created the mapping of "${row.name}"`,
        after: mapping,
      });
      if (!mayStartSync(ctx)) return { integration: publicView(created, mapping), sync: null, notice: SYNC_NOT_STARTED };
      const { sync } = await enqueueSync(tx, ctx, id, { trigger: "config_saved" });
      if (evidence)
        await attachEvidence(tx, ctx, { integrationId: id, integrationName: row.name, syncExecutionId: sync.id }, evidence, written);
      return { integration: publicView(created, mapping), sync, notice: undefined as string | undefined };
    }),
  );
}

export async function updateIntegration(ctx: ServiceContext, id: string, input: unknown) {
  authorize(ctx, "integrations:write");
  if (!isUuid(id)) notFound();
  refuseLogoUrl(input);
  const data = parseInput(updateIntegrationSchema, input);
  if (hasEvidence(data.evidence)) assertMayStartSyncForEvidence(ctx);
  const evidence: PreparedEvidence | null = hasEvidence(data.evidence) ? await prepareEvidence(ctx, data.evidence) : null;
  return withManifestCleanup((written) =>
    getDb().transaction(async (tx) => {
      const before = (await queries.getIntegration(tx, ctx.tenantId, id, { lock: true })) ?? notFound();
      const beforeSecret = storedSecrets(before);
      let plain = before.config;
      let secret = beforeSecret;
      if (data.config) {
        const retype = secretsToRetype(before.connector, data.config, before.config, beforeSecret);
        if (Object.keys(retype).length) invalid(retype);
        const merged = parseConfig(before.connector, mergeSecrets(before.connector, data.config, beforeSecret));
        assertOwnFiles(ctx, before.connector, merged);
        await attachFiles(tx, ctx.tenantId, before.connector, merged);
        ({ plain, secret } = splitSecrets(before.connector, merged));
      }
      let after = await queries.updateIntegration(tx, id, {
        name: data.name ?? before.name,
        config: plain,
        secrets: Object.keys(secret).length ? encryptJson(secret, id) : null,
        scheduleMinutes: data.scheduleMinutes === undefined ? before.scheduleMinutes : data.scheduleMinutes,
        nextSyncAt:
          data.scheduleMinutes === undefined
            ? before.nextSyncAt
            : data.scheduleMinutes
              ? new Date(Date.now() + data.scheduleMinutes * 60_000)
              : null,
        dropThresholdPercent: data.dropThresholdPercent ?? before.dropThresholdPercent,
        maxRunSeconds: data.maxRunMinutes === undefined ? before.maxRunSeconds : data.maxRunMinutes * 60,
      });
      // The logo is the integration's look, not its configuration: changing only it starts no sync.
      const logoChanged = data.logoUploadId !== undefined && data.logoUploadId !== before.logoUploadId;
      let logo = { before: null as string | null, after: null as string | null };
      if (logoChanged) {
        logo = {
          before: await currentLogoLabel(tx, ctx.tenantId, before.logoUploadId),
          after: data.logoUploadId ? await claimLogo(tx, ctx.tenantId, data.logoUploadId) : null,
        };
        after = await queries.updateIntegration(tx, id, { logoUploadId: data.logoUploadId });
      }
      const settingsChanged = auditChanged(before, beforeSecret, after, secret);
      if (settingsChanged || logoChanged) {
        await recordAuditEvent(tx, ctx, {
          entityType: "ConnectionProfile",
          action: "Update",
          entityId: id,
          entityName: after.name,
          details: settingsChanged
            ? `Updated integration "${after.name}"`
            : `${logo.after ? "Changed" : "Removed"} the logo of "${after.name}"`,
          before: { ...auditView(before, beforeSecret), ...(logoChanged ? { logo: logo.before } : {}) },
          after: { ...auditView(after, secret), ...(logoChanged ? { logo: logo.after } : {}) },
        });
      }
      const beforeMapping = await queries.getMappingConfig(tx, ctx.tenantId, id);
      let mapping = beforeMapping?.mapping ?? null;
      // Compared field by field, as the audit row would show it: a form that sends the mapping's fields in
      // another order has changed nothing.
      if (data.mapping && diffRecords(mapping, data.mapping).length > 0) {
        mapping = (await queries.upsertMappingConfig(tx, { tenantId: ctx.tenantId, integrationId: id, mapping: data.mapping })).mapping;
        await recordAuditEvent(tx, ctx, {
          entityType: "MappingConfig",
          action: beforeMapping ? "Update" : "Create",
          entityId: id,
          entityName: `${after.name} mapping`,
          details: `Changed the mapping of "${after.name}"`,
          before: beforeMapping?.mapping ?? null,
          after: data.mapping,
        });
      }
      if (evidence && !after.active) {
        throw new AppError("conflict:integration_inactive", `"${after.name}" is deactivated; activate it to add evidence.`);
      }
      // Evidence alone (no setting changed) still starts a sync, which owns the new evidence.
      const configChanged = settingsChanged || mapping !== (beforeMapping?.mapping ?? null);
      const trigger = evidence && !configChanged ? "evidence_updated" : "config_saved";
      // A save that changes nothing has nothing to sync.
      if (!configChanged && !evidence) {
        const notice = logoChanged ? "The logo was saved; no sync was started." : "Nothing changed; no sync was started.";
        return { integration: publicView(after, mapping), sync: null, notice };
      }
      if (!mayStartSync(ctx)) return { integration: publicView(after, mapping), sync: null, notice: SYNC_NOT_STARTED };
      // A sync already queued for the integration is joined: it reads these settings when it starts.
      const sync = after.active ? (await enqueueSync(tx, ctx, id, { trigger })).sync : null;
      if (evidence && sync)
        await attachEvidence(tx, ctx, { integrationId: id, integrationName: after.name, syncExecutionId: sync.id }, evidence, written);
      return { integration: publicView(after, mapping), sync, notice: undefined as string | undefined };
    }),
  );
}

function auditChanged(
  before: Parameters<typeof auditView>[0],
  beforeSecret: Record<string, unknown>,
  after: Parameters<typeof auditView>[0],
  afterSecret: Record<string, unknown>,
) {
  return diffRecords(auditView(before, beforeSecret), auditView(after, afterSecret)).length > 0;
}

export async function setIntegrationActive(ctx: ServiceContext, id: string, active: boolean) {
  authorize(ctx, "integrations:write");
  if (!isUuid(id)) notFound();
  return getDb().transaction(async (tx) => {
    const before = (await queries.getIntegration(tx, ctx.tenantId, id, { lock: true })) ?? notFound();
    if (before.active === active) return publicView(before, null);
    const after = await queries.updateIntegration(tx, id, { active });
    await recordAuditEvent(tx, ctx, {
      entityType: "ConnectionProfile",
      action: "Update",
      entityId: id,
      entityName: before.name,
      details: `${active ? "Activated" : "Deactivated"} integration "${before.name}"`,
      before: { active: before.active },
      after: { active },
    });
    return publicView(after, null);
  });
}

/** Soft delete: sync history and evidence stay for the auditors. */
export async function deleteIntegration(ctx: ServiceContext, id: string) {
  authorize(ctx, "integrations:write");
  if (!isUuid(id)) notFound();
  await getDb().transaction(async (tx) => {
    const before = (await queries.getIntegration(tx, ctx.tenantId, id, { lock: true })) ?? notFound();
    await queries.updateIntegration(tx, id, { deletedAt: new Date(), active: false, secrets: null });
    await recordAuditEvent(tx, ctx, {
      entityType: "ConnectionProfile",
      action: "Delete",
      entityId: id,
      entityName: before.name,
      details: `Deleted integration "${before.name}"; its sync history is kept`,
      before: auditView(before, storedSecrets(before)),
    });
    const mapping = await queries.getMappingConfig(tx, ctx.tenantId, id);
    if (mapping) {
      await queries.deleteMappingConfig(tx, ctx.tenantId, id);
      await recordAuditEvent(tx, ctx, {
        entityType: "MappingConfig",
        action: "Delete",
        entityId: id,
        entityName: `${before.name} mapping`,
        details: `Deleted the mapping of "${before.name}" with the integration`,
        before: mapping.mapping,
      });
    }
  });
}

/**
 * Runs the connector's own check with the given settings. When editing,
 * stored secrets fill blanks, but only for the address they were saved for.
 */
export async function testConnection(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "integrations:write");
  const data = parseInput(testConnectionSchema, input);
  let config = data.config;
  if (data.integrationId) {
    const row = (await queries.getIntegration(getDb(), ctx.tenantId, data.integrationId)) ?? notFound();
    // Another connector type's secrets are never borrowed: its fields mean other things.
    const stored = row.connector === data.connector ? storedSecrets(row) : {};
    const retype = secretsToRetype(data.connector, config, row.connector === data.connector ? row.config : {}, stored);
    if (Object.keys(retype).length) invalid(retype);
    config = mergeSecrets(data.connector, config, stored);
  }
  const parsed = parseConfig(data.connector, config);
  assertOwnFiles(ctx, data.connector, parsed);
  try {
    await assertEndpointsAllowed(data.connector, parsed);
    const result = await getConnector(data.connector).test(parsed, AbortSignal.timeout(20_000));
    return { ok: true as const, ...result };
  } catch (e) {
    if (e instanceof ConnectorError) return { ok: false as const, kind: e.kind, message: e.message };
    if (e instanceof Error && e.name === "TimeoutError") {
      return { ok: false as const, kind: "unreachable", message: "The source did not answer within 20 seconds." };
    }
    throw e;
  }
}

export async function listCursors(ctx: ServiceContext, integrationId: string) {
  authorize(ctx, "integrations:read");
  if (!isUuid(integrationId)) notFound();
  return queries.listCursors(getDb(), ctx.tenantId, integrationId);
}

async function cursorChange(ctx: ServiceContext, input: unknown, action: "Reset" | "Delete") {
  authorize(ctx, "integrations:write");
  const { integrationId, objectType } = parseInput(cursorActionSchema, input);
  return getDb().transaction(async (tx: Executor) => {
    const integration = (await queries.getIntegration(tx, ctx.tenantId, integrationId)) ?? notFound();
    const cursor = await queries.getCursor(tx, ctx.tenantId, integrationId, objectType);
    if (!cursor) throw new AppError("not_found:cursor", `"${integration.name}" has no ${objectType} cursor.`);
    if (action === "Reset") await queries.resetCursor(tx, cursor.id);
    else await queries.deleteCursor(tx, cursor.id);
    await recordAuditEvent(tx, ctx, {
      entityType: "ExtractionCursor",
      action,
      entityId: cursor.id,
      entityName: `${integration.name} / ${objectType as ObjectType}`,
      details:
        action === "Reset"
          ? `Reset the ${objectType} cursor of "${integration.name}": the next sync reads everything`
          : `Deleted the ${objectType} cursor of "${integration.name}"`,
      before: { position: cursor.position },
      after: action === "Reset" ? { position: "" } : null,
    });
  });
}

export const resetCursor = (ctx: ServiceContext, input: unknown) => cursorChange(ctx, input, "Reset");
export const deleteCursor = (ctx: ServiceContext, input: unknown) => cursorChange(ctx, input, "Delete");

const LOGO_CONTENT_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);

/**
 * An integration's logo image for a member who may read integrations: the
 * stored bytes, their checked type, and the upload id that versions its URL.
 * Another tenant's integration, or one without a logo, is not found.
 */
export async function getIntegrationLogo(ctx: ServiceContext, id: string) {
  authorize(ctx, "integrations:read");
  if (!isUuid(id)) notFound();
  const row = (await queries.getIntegration(getDb(), ctx.tenantId, id, { includeDeleted: true })) ?? notFound();
  const noLogo = () => new AppError("not_found:logo", `"${row.name}" has no logo.`);
  if (!row.logoUploadId) throw noLogo();
  const [upload] = await findUploadsById(getDb(), ctx.tenantId, [row.logoUploadId]);
  if (upload?.purpose !== "logo" || !LOGO_CONTENT_TYPES.has(upload.contentType)) throw noLogo();
  const body = await getObjectStore().get(upload.objectKey);
  return { uploadId: upload.id, contentType: upload.contentType, size: upload.size, body };
}
