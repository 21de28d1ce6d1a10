/**
 * The SCIM connector's write side (RFC 7644 §3.3–3.6): accounts are POSTed,
 * PATCHed and DELETEd on /Users, enable/disable is a PATCH of `active`, and a
 * membership is a PATCH of the group's `members`. Each action reads first, so
 * a repeat writes nothing and reports itself as already applied; updates
 * carry If-Match when the provider versions its resources.
 */
import { z } from "zod";
import type { ScimConfig } from "./scim";
import { ENTERPRISE_USER, ScimClient, type ScimClientPolicy } from "./scim-client";
import { ConnectorError, scrubSecrets, type ProvisionOperation, type ProvisionResult, type Provisioner } from "./types";

const CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/**
 * A task waits out a short Retry-After here; a longer one goes back to the
 * engine as rate_limited with the server's delay, so no worker is held.
 */
const WRITE_POLICY: ScimClientPolicy = { retries: 1, maxRetryWaitMs: 2_000, writeErrors: true };

type Resource = Record<string, unknown> & { id: string; meta?: { version?: unknown } };
type WritableField = "username" | "email" | "displayName" | "givenName" | "familyName" | "title" | "department";

/** Canonical field -> SCIM attribute path, how its current value is read, and the value written. */
const FIELDS: Record<WritableField, { path: string; read: (r: Resource) => unknown; write?: (v: string) => unknown }> = {
  username: { path: "userName", read: (r) => r.userName },
  email: {
    path: "emails",
    read: (r) => {
      const emails = Array.isArray(r.emails) ? (r.emails as { value?: unknown; primary?: unknown }[]) : [];
      return (emails.find((e) => e?.primary === true) ?? emails[0])?.value;
    },
    write: (v) => [{ value: v, type: "work", primary: true }],
  },
  displayName: { path: "displayName", read: (r) => r.displayName },
  givenName: { path: "name.givenName", read: (r) => (r.name as { givenName?: unknown } | undefined)?.givenName },
  familyName: { path: "name.familyName", read: (r) => (r.name as { familyName?: unknown } | undefined)?.familyName },
  title: { path: "title", read: (r) => r.title },
  department: {
    path: `${ENTERPRISE_USER}:department`,
    read: (r) => (r[ENTERPRISE_USER] as { department?: unknown } | undefined)?.department,
  },
};

export const scimProvisionSettingsSchema = z.object({});

type Ctx = {
  client: ScimClient;
  config: ScimConfig;
  steps: string[];
  wrote: boolean;
  last?: { request: ProvisionResult["request"]; response: ProvisionResult["response"] };
};

export const scimProvisioner: Provisioner<ScimConfig> = {
  actions: {
    account: ["create", "update", "delete", "enable", "disable"],
    membership: ["grant", "revoke"],
  },
  settingsSchema: scimProvisionSettingsSchema as unknown as z.ZodType<Record<string, unknown>>,

  async apply(config, op, signal) {
    const ctx: Ctx = { client: new ScimClient(config, signal, WRITE_POLICY), config, steps: [], wrote: false };
    try {
      switch (op.action) {
        case "create":
          return await create(ctx, op);
        case "update":
          return await update(ctx, op);
        case "delete":
          return await remove(ctx, op);
        case "enable":
        case "disable":
          return await setActive(ctx, op, op.action === "enable");
        case "grant":
        case "revoke":
          return await membership(ctx, op, op.action === "grant");
      }
    } catch (error) {
      if (error instanceof ConnectorError)
        throw new ConnectorError(scrub(ctx, error.message), error.kind, { cause: error.cause, retryAfterMs: error.retryAfterMs });
      throw error;
    }
  },
};

// ---------------------------------------------------------------- accounts

async function create(ctx: Ctx, op: ProvisionOperation): Promise<ProvisionResult> {
  // A resumed task may have created the account already: look for it by userName first.
  const existing = await findUser(ctx, { username: op.account.username });
  let user = existing;
  if (existing) {
    ctx.steps.push(`User ${op.account.username} already exists (${existing.id}); nothing created`);
  } else {
    const body = newUser(op);
    const created = await call(ctx, "POST", "/Users", { body });
    user = asResource(created.body, "POST /Users");
    ctx.steps.push(`Created user ${op.account.username} (${user.id})`);
  }
  const bindings = await applyBindings(ctx, op, user!.id);
  return result(ctx, user!.id, bindings);
}

async function update(ctx: Ctx, op: ProvisionOperation): Promise<ProvisionResult> {
  let user = await requireUser(ctx, op);
  // If-Match makes a concurrent change fail the PATCH instead of being overwritten; one fresh read and retry, then give up.
  for (let attempt = 0; ; attempt++) {
    const operations = attributeOperations(op.attributes ?? {}, user);
    if (operations.length === 0) {
      ctx.steps.push(`User ${user.id} already has these values; nothing changed`);
      break;
    }
    const answer = await patch(ctx, `/Users/${user.id}`, operations, user);
    if (answer.status !== 412) {
      ctx.steps.push(`Updated user ${user.id}: ${operations.map((o) => `${o.op} ${o.path}`).join(", ")}`);
      break;
    }
    if (attempt >= 1) {
      throw new ConnectorError(
        `SCIM PATCH /Users/${user.id} failed: 412 Precondition Failed twice — the user keeps changing on the target${answer.detail ? `: ${answer.detail}` : ""}; retry later`,
        "rejected",
      );
    }
    ctx.steps.push(`User ${user.id} changed on the target since it was read (412); reading it again`);
    user = await requireUser(ctx, { ...op, account: { ...op.account, externalId: user.id } });
  }
  const bindings = await applyBindings(ctx, op, user.id);
  return result(ctx, user.id, bindings);
}

async function remove(ctx: Ctx, op: ProvisionOperation): Promise<ProvisionResult> {
  const user = await findUser(ctx, op.account);
  if (!user) {
    ctx.steps.push(`No user ${op.account.username} on the target; nothing deleted`);
    return result(ctx, op.account.externalId ?? null);
  }
  const answer = await call(ctx, "DELETE", `/Users/${user.id}`, { accept: [404] });
  ctx.steps.push(answer.status === 404 ? `User ${user.id} was already gone` : `Deleted user ${user.id}`);
  return result(ctx, user.id);
}

async function setActive(ctx: Ctx, op: ProvisionOperation, active: boolean): Promise<ProvisionResult> {
  const user = await requireUser(ctx, op);
  // SCIM's default for a user without `active` is undefined; only an explicit value counts as already applied.
  if (user.active === active) {
    ctx.steps.push(`User ${user.id} is already ${active ? "active" : "inactive"}`);
  } else {
    const answer = await patch(ctx, `/Users/${user.id}`, [{ op: "replace", path: "active", value: active }], user);
    if (answer.status === 412)
      throw new ConnectorError(
        `SCIM PATCH /Users/${user.id} failed: 412 Precondition Failed — the user changed on the target; retry`,
        "rejected",
      );
    ctx.steps.push(`Set active: ${active} on user ${user.id}`);
  }
  return result(ctx, user.id);
}

// ---------------------------------------------------------------- memberships

async function membership(ctx: Ctx, op: ProvisionOperation, grant: boolean): Promise<ProvisionResult> {
  if (!op.group) throw new ConnectorError(`A ${op.action} names a group; this one does not`, "bad_data");
  const user = grant ? await requireUser(ctx, op) : await findUser(ctx, op.account);
  if (!user) {
    ctx.steps.push(`No user ${op.account.username} on the target, so it is not a member`);
    return result(ctx, op.account.externalId ?? null);
  }
  await changeMembership(ctx, op.group, user.id, grant);
  return result(ctx, user.id);
}

async function changeMembership(
  ctx: Ctx,
  group: { externalId: string; name?: string | null },
  userId: string,
  add: boolean,
): Promise<Resource> {
  const path = `/Groups/${encodeURIComponent(group.externalId)}`;
  // Other members of a group change while tasks run side by side: a 412 means the group moved on, so it is read again.
  for (let attempt = 1; ; attempt++) {
    const read = await call(ctx, "GET", path, { accept: [404] });
    if (read.status === 404) {
      const named = group.name ? `${group.name} (${group.externalId})` : group.externalId;
      throw new ConnectorError(`Group ${named} does not exist on the SCIM service`, "not_found");
    }
    const current = asResource(read.body, `GET ${path}`);
    const members = Array.isArray(current.members) ? (current.members as { value?: unknown }[]) : [];
    const isMember = members.some((m) => m?.value === userId);
    if (isMember === add) {
      ctx.steps.push(`User ${userId} is ${add ? "already" : "not"} a member of group ${current.id}`);
      return current;
    }
    const operation: PatchOperation = add
      ? { op: "add", path: "members", value: [{ value: userId }] }
      : { op: "remove", path: `members[value eq "${userId.replace(/["\\]/g, "")}"]` };
    const answer = await patch(ctx, path, [operation], current);
    if (answer.status === 412) {
      if (attempt >= GROUP_PATCH_ATTEMPTS)
        throw new ConnectorError(
          `SCIM PATCH ${path} failed: 412 Precondition Failed ${attempt} times — the group keeps changing on the target; retry`,
          "rejected",
        );
      ctx.steps.push(`Group ${current.id} changed on the target since it was read (412); reading it again`);
      // A random pause, growing, so writers that collided do not collide again in step.
      await new Promise((r) => setTimeout(r, Math.random() * 25 * attempt));
      continue;
    }
    ctx.steps.push(`${add ? "Added" : "Removed"} user ${userId} ${add ? "to" : "from"} group ${current.id}`);
    return current;
  }
}

/** How many times a group PATCH refused with 412 is read and tried again. */
const GROUP_PATCH_ATTEMPTS = 10;

async function applyBindings(ctx: Ctx, op: ProvisionOperation, userId: string): Promise<ProvisionResult["bindings"]> {
  const bind = op.bindGroups ?? [];
  const unbind = op.action === "update" ? (op.unbindGroups ?? []) : [];
  if (bind.length === 0 && unbind.length === 0) return undefined;
  const bindings: NonNullable<ProvisionResult["bindings"]> = { bound: [], unbound: [] };
  for (const externalId of bind) {
    const group = await changeMembership(ctx, { externalId }, userId, true);
    bindings.bound.push({ externalId, name: typeof group.displayName === "string" ? group.displayName : null });
  }
  for (const externalId of unbind) {
    const group = await changeMembership(ctx, { externalId }, userId, false);
    bindings.unbound.push({ externalId, name: typeof group.displayName === "string" ? group.displayName : null });
  }
  return bindings;
}

// ---------------------------------------------------------------- reading

/** By id when known (as the sync stores it), else by userName. */
async function findUser(ctx: Ctx, account: ProvisionOperation["account"]): Promise<Resource | null> {
  if (account.externalId) {
    const path = `/Users/${encodeURIComponent(account.externalId)}`;
    const read = await call(ctx, "GET", path, { accept: [404] });
    if (read.status !== 404) return asResource(read.body, `GET ${path}`);
  }
  const filter = `userName eq "${account.username.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  const list = await call(ctx, "GET", "/Users", { query: { filter } });
  const resources = (list.body as { Resources?: unknown } | undefined)?.Resources;
  if (resources !== undefined && !Array.isArray(resources))
    throw new ConnectorError("SCIM GET /Users did not answer with a ListResponse of users", "protocol");
  const found = (resources ?? []).map((r) => asResource(r, "GET /Users"));
  if (found.length > 1)
    throw new ConnectorError(
      `${found.length} SCIM users have userName ${account.username}; resolve the duplicate on the target`,
      "bad_data",
    );
  return found[0] ?? null;
}

async function requireUser(ctx: Ctx, op: ProvisionOperation): Promise<Resource> {
  const user = await findUser(ctx, op.account);
  if (!user) throw new ConnectorError(`No SCIM user ${op.account.username} on the target`, "not_found");
  return user;
}

// ---------------------------------------------------------------- helpers

function newUser(op: ProvisionOperation): Record<string, unknown> {
  const a = op.attributes ?? {};
  const user: Record<string, unknown> = { schemas: [CORE_USER], userName: op.account.username, active: true };
  if (a.email) user.emails = FIELDS.email.write!(a.email);
  if (a.displayName) user.displayName = a.displayName;
  if (a.givenName || a.familyName)
    user.name = { ...(a.givenName ? { givenName: a.givenName } : {}), ...(a.familyName ? { familyName: a.familyName } : {}) };
  if (a.title) user.title = a.title;
  if (a.department) {
    user.schemas = [CORE_USER, ENTERPRISE_USER];
    user[ENTERPRISE_USER] = { department: a.department };
  }
  return user;
}

type PatchOperation = { op: "add" | "replace" | "remove"; path: string; value?: unknown };

/** PATCH operations for the fields whose value differs from the resource's; null removes. */
function attributeOperations(attributes: Record<string, string | null>, user: Resource): PatchOperation[] {
  const operations: PatchOperation[] = [];
  for (const [field, value] of Object.entries(attributes)) {
    const spec = FIELDS[field as WritableField];
    if (!spec) continue;
    const current = spec.read(user);
    if (value === null || value === "") {
      if (current !== undefined && current !== null) operations.push({ op: "remove", path: spec.path });
    } else if (current !== value) {
      operations.push({ op: "replace", path: spec.path, value: spec.write ? spec.write(value) : value });
    }
  }
  return operations;
}

function patch(ctx: Ctx, path: string, operations: PatchOperation[], resource: Resource) {
  const version = typeof resource.meta?.version === "string" ? resource.meta.version : undefined;
  return call(ctx, "PATCH", path, { body: { schemas: [PATCH_OP], Operations: operations }, ifMatch: version, accept: [412] });
}

/** One request, logged as a step and kept as the task's request/response when it writes (or when nothing did). */
async function call(ctx: Ctx, method: Parameters<ScimClient["send"]>[0], path: string, options: Parameters<ScimClient["send"]>[2] = {}) {
  const url = `${ctx.config.baseUrl}${path}${options.query ? `?${new URLSearchParams(options.query)}` : ""}`;
  const request = { method, url, ...(options.body === undefined ? {} : { body: options.body }) };
  let answer: Awaited<ReturnType<ScimClient["send"]>>;
  try {
    answer = await ctx.client.send(method, path, options);
  } catch (error) {
    ctx.steps.push(scrub(ctx, `${method} ${path}: ${error instanceof Error ? error.message : "failed"}`));
    throw error;
  }
  ctx.steps.push(scrub(ctx, `${method} ${path}${options.ifMatch ? ` (If-Match ${options.ifMatch})` : ""} → ${answer.status}`));
  const response = { status: answer.status, body: answer.body ?? (answer.detail || undefined) };
  const writes = method !== "GET" && answer.status < 300;
  if (writes) ctx.wrote = true;
  if (writes || !ctx.wrote) ctx.last = { request, response };
  return answer;
}

function asResource(body: unknown, what: string): Resource {
  if (typeof body !== "object" || body === null || typeof (body as { id?: unknown }).id !== "string") {
    throw new ConnectorError(`SCIM ${what} did not answer with a resource that has an id`, "protocol");
  }
  return body as Resource;
}

function result(ctx: Ctx, accountExternalId: string | null, bindings?: ProvisionResult["bindings"]): ProvisionResult {
  const out: ProvisionResult = {
    accountExternalId,
    alreadyApplied: !ctx.wrote,
    request: ctx.last?.request ?? {},
    response: ctx.last?.response ?? {},
    steps: ctx.steps,
    ...(bindings ? { bindings } : {}),
  };
  // The token travels only in the Authorization header, which is never recorded; a server echoing it back is masked too.
  return JSON.parse(scrub(ctx, JSON.stringify(out))) as ProvisionResult;
}

function scrub(ctx: Ctx, text: string): string {
  return scrubSecrets(text, [ctx.config.bearerToken]);
}
