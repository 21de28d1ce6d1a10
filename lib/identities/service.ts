/**
 * Identities as SyncLedger currently sees them: an integration's accounts
 * from its current state (the last applied sync plus the overlay), an
 * account's memberships and provisioning tasks, and the groups a grant can
 * name. Read-only; every function authorizes first.
 */
import "server-only";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/identities";
import { getIntegration } from "@/db/queries/integrations";
import { listObjectTasks } from "@/db/queries/provisioning";
import { authorize, can, type ServiceContext } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { isUuid, parseInput } from "@/lib/validation";
import { accountListSchema } from "./schemas";

/** How many groups a grant's chooser lists. */
export const GROUP_CHOICES_MAX = 2000;
const ACCOUNT_TASKS_SHOWN = 20;

const integrationNotFound = (): never => {
  throw new AppError("not_found:integration", "No such integration.");
};
const accountNotFound = (): never => {
  throw new AppError("not_found:account", "This integration's current state has no such account.");
};

async function loadIntegration(ctx: ServiceContext, integrationId: string) {
  if (!isUuid(integrationId)) integrationNotFound();
  const integration = (await getIntegration(getDb(), ctx.tenantId, integrationId)) ?? integrationNotFound();
  return { id: integration.id, name: integration.name, connector: integration.connector, logoUploadId: integration.logoUploadId };
}

function encodeAfter(key: string, externalId: string) {
  return Buffer.from(JSON.stringify([key, externalId]), "utf8").toString("base64url");
}
function decodeAfter(value: string): { key: string; externalId: string } {
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === "string")) {
      return { key: parsed[0], externalId: parsed[1] };
    }
  } catch {
    // fall through to the refusal
  }
  throw new AppError("bad_request:cursor", "The page link is not valid; start again from the first page.");
}

/** A page of an integration's current accounts, by username; `next` is the following page's cursor. */
export async function listAccounts(ctx: ServiceContext, integrationId: string, input: unknown = {}) {
  authorize(ctx, "integrations:read");
  const { q, after, limit } = parseInput(accountListSchema, input);
  const integration = await loadIntegration(ctx, integrationId);
  const rows = await queries.listAccounts(getDb(), ctx.tenantId, integration.id, {
    q: q || undefined,
    after: after ? decodeAfter(after) : undefined,
    limit: limit + 1,
  });
  const page = [...rows].slice(0, limit);
  const last = page.at(-1);
  return {
    integration,
    items: page.map(({ sortKey: _k, ...a }) => a),
    next: rows.length > limit && last ? encodeAfter(last.sortKey, last.externalId) : null,
  };
}
export type AccountListItem = Awaited<ReturnType<typeof listAccounts>>["items"][number];

/**
 * One account: its fields, the groups it is a member of, and (for roles that
 * read provisioning) the newest tasks on it.
 */
export async function getAccount(ctx: ServiceContext, integrationId: string, externalId: string) {
  authorize(ctx, "integrations:read");
  const integration = await loadIntegration(ctx, integrationId);
  if (!externalId || externalId.length > 1024) accountNotFound();
  const db = getDb();
  const account = (await queries.getAccount(db, ctx.tenantId, integration.id, externalId)) ?? accountNotFound();
  const memberships = [...(await queries.accountMemberships(db, ctx.tenantId, integration.id, externalId))];
  const username = account.fields.username ?? account.externalId;
  const tasks = can(ctx, "provisioning:read")
    ? await listObjectTasks(db, ctx.tenantId, integration.id, username.toLowerCase(), ACCOUNT_TASKS_SHOWN)
    : null;
  return { integration, account: { ...account, username }, memberships, tasks };
}
export type AccountView = Awaited<ReturnType<typeof getAccount>>;

/** The integration's groups, for a grant's chooser. */
export async function listGroups(ctx: ServiceContext, integrationId: string) {
  authorize(ctx, "integrations:read");
  const integration = await loadIntegration(ctx, integrationId);
  return [...(await queries.listGroups(getDb(), ctx.tenantId, integration.id, GROUP_CHOICES_MAX))];
}
