/**
 * API keys: created by admins, the secret shown once and stored as a hash,
 * revocable and deletable; and the authentication of a presented key.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { sha256Hex } from "@/lib/crypto/hash";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/api-keys";
import { apiKeyContext, authorize, type RequestMeta, type ServiceContext } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { apiKeyIdSchema, createApiKeySchema } from "./schemas";

const KEY_PREFIX = "slk_";

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

function publicView(k: queries.ApiKeyRow) {
  const { secretHash: _hidden, ...rest } = k;
  return rest;
}

export type ApiKeyView = ReturnType<typeof publicView>;

export function apiKeyStatus(k: Pick<queries.ApiKeyRow, "revokedAt" | "expiresAt">, now = new Date()) {
  if (k.revokedAt) return "revoked" as const;
  if (k.expiresAt && k.expiresAt <= now) return "expired" as const;
  return "active" as const;
}

export async function listApiKeys(ctx: ServiceContext) {
  authorize(ctx, "api_keys:read");
  return (await queries.listApiKeys(getDb(), ctx.tenantId)).map(publicView);
}

/** Returns the key's plain secret exactly once; only its hash is kept. */
export async function createApiKey(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "api_keys:write");
  const data = parseInput(createApiKeySchema, input);
  const secret = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return getDb().transaction(async (tx) => {
    const row = await queries.insertApiKey(tx, {
      tenantId: ctx.tenantId,
      name: data.name,
      prefix: secret.slice(0, 12),
      secretHash: hashApiKey(secret),
      scopes: data.scopes,
      expiresAt: data.expiresAt ?? null,
      createdByName: ctx.actor.name,
    });
    await recordAuditEvent(tx, ctx, {
      entityType: "ApiKey",
      action: "Create",
      entityId: row.id,
      entityName: row.name,
      details: `Created API key "${row.name}" with scopes ${data.scopes.join(", ")}`,
      after: {
        name: row.name,
        prefix: row.prefix,
        scopes: data.scopes.join(", "),
        expiresAt: row.expiresAt?.toISOString() ?? null,
      },
    });
    return { apiKey: publicView(row), secret };
  });
}

export async function revokeApiKey(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "api_keys:write");
  const { id } = parseInput(apiKeyIdSchema, input);
  // Forgotten once committed: a request verifying the key meanwhile may have cached it as it was.
  const revoked = await getDb().transaction(async (tx) => {
    const before = await queries.getApiKey(tx, ctx.tenantId, id);
    if (!before) throw new AppError("not_found:api_key", "No such API key.");
    if (before.revokedAt) throw new AppError("conflict:api_key_revoked", `API key "${before.name}" is already revoked.`);
    const after = await queries.revokeApiKey(tx, ctx.tenantId, id, new Date());
    await recordAuditEvent(tx, ctx, {
      entityType: "ApiKey",
      action: "Revoke",
      entityId: id,
      entityName: before.name,
      details: `Revoked API key "${before.name}"`,
      before: { status: "active" },
      after: { status: "revoked" },
    });
    return publicView(after!);
  });
  forgetVerifiedApiKeys({ keyId: id });
  return revoked;
}

export async function deleteApiKey(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "api_keys:write");
  const { id } = parseInput(apiKeyIdSchema, input);
  await getDb().transaction(async (tx) => {
    const before = await queries.getApiKey(tx, ctx.tenantId, id);
    if (!before) throw new AppError("not_found:api_key", "No such API key.");
    await queries.deleteApiKey(tx, ctx.tenantId, id);
    await recordAuditEvent(tx, ctx, {
      entityType: "ApiKey",
      action: "Delete",
      entityId: id,
      entityName: before.name,
      details: `Deleted API key "${before.name}"`,
      before: { name: before.name, prefix: before.prefix, scopes: before.scopes.join(", ") },
    });
  });
  forgetVerifiedApiKeys({ keyId: id });
}

/**
 * Keys verified in the last few seconds, by hash: an API client sends the same
 * key with every request, and looking it up (and the tenant's state) each time
 * was half the database round trips of a list request. A key revoked or
 * deleted here, or its tenant deactivated, is dropped at once; other app
 * processes refuse it when their entry expires, within VERIFIED_KEY_TTL_MS.
 * Expiry is checked on every use.
 */
const VERIFIED_KEY_TTL_MS = 5_000;
const verifiedKeys = new Map<string, { found: NonNullable<Awaited<ReturnType<typeof queries.findApiKeyByHash>>>; until: number }>();

/** Forgets verified keys: one key (revoked, deleted) or all of a tenant's (deactivated). */
export function forgetVerifiedApiKeys(match: { keyId?: string; tenantId?: string }) {
  for (const [hash, entry] of verifiedKeys) {
    if (entry.found.key.id === match.keyId || entry.found.key.tenantId === match.tenantId) verifiedKeys.delete(hash);
  }
}

/** A key's last use is recorded at most once a minute: the page shows it to the minute. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Resolves a presented key to a context. Unknown, revoked and expired keys
 * and keys of deactivated tenants all answer 401 with a reason.
 */
export async function authenticateApiKey(presented: string, request: RequestMeta = {}): Promise<ServiceContext> {
  if (!presented.startsWith(KEY_PREFIX) || presented.length > 200) {
    throw new AppError("unauthorized:api_key", "The API key is not valid.");
  }
  const hash = hashApiKey(presented);
  const now = new Date();
  const cached = verifiedKeys.get(hash);
  let found = cached && cached.until > now.getTime() ? cached.found : null;
  if (!found) {
    verifiedKeys.delete(hash);
    found = await queries.findApiKeyByHash(getDb(), hash);
    if (!found) throw new AppError("unauthorized:api_key", "The API key is not valid.");
  }
  const status = apiKeyStatus(found.key, now);
  if (status !== "active") throw new AppError("unauthorized:api_key", `The API key has been ${status}.`);
  if (!found.tenantActive) throw new AppError("forbidden:tenant_inactive", "The tenant of this API key is deactivated.");
  if (!found.key.lastUsedAt || now.getTime() - found.key.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
    await queries.touchApiKey(getDb(), found.key.id, now);
    found = { ...found, key: { ...found.key, lastUsedAt: now } };
  }
  if (cached?.found === found) return apiKeyContext({ tenantId: found.key.tenantId, key: found.key, request });
  // Bounded: a flood of distinct valid keys cannot grow it without end.
  if (verifiedKeys.size >= 1_000) verifiedKeys.clear();
  verifiedKeys.set(hash, { found, until: cached && cached.until > now.getTime() ? cached.until : now.getTime() + VERIFIED_KEY_TTL_MS });
  return apiKeyContext({ tenantId: found.key.tenantId, key: found.key, request });
}
