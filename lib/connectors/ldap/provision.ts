/**
 * The LDAP connector's write side: accounts are added, modified, moved and
 * deleted, and group membership is a modify of the group entry (`member` for
 * groupOfNames, `uniqueMember` for groupOfUniqueNames, `memberUid` for
 * posixGroup). Every action reads the directory first, so applying the same
 * operation twice writes once and reports the second as already applied.
 */
import { createHash } from "node:crypto";
import { Attribute, Change, escapeFilter, type Entry } from "ldapts";
import { z } from "zod";
import { ConnectorError, type ProvisionOperation, type ProvisionResult, type Provisioner } from "../types";
import type { LdapConfig } from "./config";
import { normalizeDn, values } from "./entries";
import { resultCodeName } from "./errors";
import { LdapSession } from "./session";

const attributeName = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9-]*$/, "An LDAP attribute name is letters, digits and hyphens, starting with a letter");
const dnString = z.string().trim().min(3).regex(/=/, "Enter a DN, e.g. ou=people,dc=example,dc=com");

/** The canonical account fields an operation may set, and the LDAP attribute each one is written to by default. */
export const DEFAULT_ATTRIBUTE_MAP = {
  username: "uid",
  email: "mail",
  displayName: "displayName",
  givenName: "givenName",
  familyName: "sn",
  title: "title",
  department: "departmentNumber",
} as const;
type WritableField = keyof typeof DEFAULT_ATTRIBUTE_MAP;
const WRITABLE_FIELDS = Object.keys(DEFAULT_ATTRIBUTE_MAP) as [WritableField, ...WritableField[]];

export const ldapProvisionSettingsSchema = z.object({
  /** Where new accounts are created; the connector's user base DN (else its base DN) when empty. */
  accountBaseDn: dnString.optional(),
  rdnAttribute: attributeName.default("uid"),
  objectClasses: z.array(attributeName).min(1, "Give at least one object class").default(["inetOrgPerson"]),
  /** How an account is disabled; without one, enable and disable are refused. */
  disable: z
    .discriminatedUnion("strategy", [
      z.object({
        strategy: z.literal("attribute"),
        attribute: attributeName,
        disabledValue: z.string().min(1, "Give the value that marks an account disabled"),
        /** Written on enable; without it enable removes the attribute. */
        enabledValue: z.string().min(1).optional(),
      }),
      z.object({ strategy: z.literal("move"), disabledBaseDn: dnString }),
    ])
    .optional(),
  /** Canonical field -> LDAP attribute, over DEFAULT_ATTRIBUTE_MAP. */
  attributeMap: z
    .partialRecord(z.enum(WRITABLE_FIELDS, { error: "Not a canonical account field that can be written" }), attributeName)
    .optional(),
});
export type LdapProvisionSettings = z.infer<typeof ldapProvisionSettingsSchema>;

type Ctx = {
  config: LdapConfig;
  session: LdapSession;
  settings: LdapProvisionSettings;
  accountBase: string;
  map: Record<WritableField, string>;
  steps: string[];
  /** Whether anything was written. */
  wrote: boolean;
};

export const ldapProvisioner: Provisioner<LdapConfig> = {
  actions: {
    account: ["create", "update", "delete", "enable", "disable"],
    membership: ["grant", "revoke"],
  },
  settingsSchema: ldapProvisionSettingsSchema as unknown as z.ZodType<Record<string, unknown>>,

  async apply(config, op, signal) {
    const parsed = ldapProvisionSettingsSchema.safeParse(op.settings ?? {});
    if (!parsed.success) {
      throw new ConnectorError(
        `LDAP provisioning settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
        "config",
      );
    }
    const settings = parsed.data;
    const kept = takeSession(config);
    try {
      return await applyWith(config, settings, op, kept ?? (await LdapSession.open(config, signal)), signal);
    } catch (error) {
      // The server may have dropped a kept connection while it was idle: once more on a new one. Every
      // action reads the directory before it writes, so a write the dropped connection did make is found.
      if (!kept || !(error instanceof ConnectorError) || error.kind !== "unreachable" || signal?.aborted) throw error;
      return await applyWith(config, settings, op, await LdapSession.open(config, signal), signal);
    }
  },
};

/**
 * Bound sessions kept between operations, per connection settings (a hash
 * of them, password included, so changed settings never reuse an old
 * session): each worker lane takes one, uses it for its task and gives it
 * back, so a task costs no connect, bind and root read. A session that saw
 * an error is closed, never kept; an idle one is closed after KEEP_IDLE_MS.
 */
const kept = new Map<string, { session: LdapSession; at: number }[]>();
const KEEP_IDLE_MS = 30_000;
const KEEP_PER_SETTINGS = 8;
let sweeper: ReturnType<typeof setInterval> | undefined;

function settingsKey(config: LdapConfig): string {
  return createHash("sha256").update(JSON.stringify(config)).digest("hex");
}

function takeSession(config: LdapConfig): LdapSession | undefined {
  const list = kept.get(settingsKey(config));
  while (list?.length) {
    const { session, at } = list.pop()!;
    if (Date.now() - at < KEEP_IDLE_MS && session.usable) return session;
    void session.close();
  }
  return undefined;
}

function keepSession(config: LdapConfig, session: LdapSession) {
  const key = settingsKey(config);
  const list = kept.get(key) ?? [];
  if (!session.usable || list.length >= KEEP_PER_SETTINGS) {
    void session.close();
    return;
  }
  session.use(undefined);
  list.push({ session, at: Date.now() });
  kept.set(key, list);
  sweeper ??= setInterval(sweepKept, KEEP_IDLE_MS / 2);
  sweeper.unref?.();
}

function sweepKept() {
  for (const [key, list] of kept) {
    const fresh = list.filter(({ session, at }) => {
      const keep = Date.now() - at < KEEP_IDLE_MS && session.usable;
      if (!keep) void session.close();
      return keep;
    });
    if (fresh.length) kept.set(key, fresh);
    else kept.delete(key);
  }
  if (kept.size === 0 && sweeper) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

async function applyWith(
  config: LdapConfig,
  settings: LdapProvisionSettings,
  op: ProvisionOperation,
  session: LdapSession,
  signal: AbortSignal | undefined,
): Promise<ProvisionResult> {
  session.use(signal);
  const ctx: Ctx = {
    config,
    session,
    settings,
    accountBase: settings.accountBaseDn ?? config.userBaseDn ?? config.baseDn,
    map: { ...DEFAULT_ATTRIBUTE_MAP, ...settings.attributeMap },
    steps: [],
    wrote: false,
  };
  let result: ProvisionResult;
  try {
    result = await run(ctx, op);
  } catch (error) {
    await session.close();
    throw error;
  }
  keepSession(config, session);
  return result;
}

async function run(ctx: Ctx, op: ProvisionOperation): Promise<ProvisionResult> {
  switch (op.action) {
    case "create":
      return create(ctx, op);
    case "update":
      return update(ctx, op);
    case "delete":
      return remove(ctx, op);
    case "enable":
    case "disable":
      return setEnabled(ctx, op, op.action === "enable");
    case "grant":
    case "revoke":
      return membership(ctx, op, op.action === "grant");
  }
}

// ---------------------------------------------------------------- accounts

async function create(ctx: Ctx, op: ProvisionOperation): Promise<ProvisionResult> {
  const attributes = accountAttributes(ctx, op, null) as Record<string, string[]>;
  const rdnAttr = ctx.settings.rdnAttribute;
  const rdnValue = attributes[rdnAttr]?.[0] ?? op.account.username;
  attributes[rdnAttr] ??= [rdnValue];

  // A resumed task may have created the account already: find it by its RDN or uid before adding.
  const existing = await findAccount(ctx, op, { rdn: { attribute: rdnAttr, value: rdnValue } });
  const dn = existing?.dn ?? `${rdnAttr}=${escapeDnValue(rdnValue)},${ctx.accountBase}`;
  const request = { method: "add", url: dn, body: { attributes: { objectClass: ctx.settings.objectClasses, ...attributes } } };
  if (existing) {
    ctx.steps.push(`Account ${existing.dn} already exists; nothing added`);
  } else {
    await write(ctx, "add", dn, (c) => c.add(dn, { objectClass: ctx.settings.objectClasses, ...attributes }));
    ctx.steps.push(`Added ${dn} (${Object.keys(attributes).join(", ")})`);
  }
  const entry = existing ?? (await ctx.session.read(dn));
  if (!entry) throw new ConnectorError(`LDAP add of ${dn} succeeded but the entry cannot be read back`, "protocol");
  const bindings = await applyBindings(ctx, op, entry);
  return result(ctx, { request, accountExternalId: ctx.session.idOf(entry), bindings, alreadyDone: `Already exists: ${entry.dn}` });
}

async function update(ctx: Ctx, op: ProvisionOperation): Promise<ProvisionResult> {
  let entry = await requireAccount(ctx, op);
  const wanted = accountAttributes(ctx, op, entry);
  const changes: Change[] = [];
  const summary: Record<string, string[] | null> = {};
  const rdnAttr = rdnAttributeOf(entry.dn);

  // The RDN attribute cannot be replaced in place; renaming the entry changes it (entryUUID stays).
  const newRdn = rdnAttr ? wanted[rdnAttr]?.[0] : undefined;
  if (rdnAttr && newRdn !== undefined && !values(entry, rdnAttr).includes(newRdn)) {
    const newDn = `${rdnAttr}=${escapeDnValue(newRdn)},${parentDn(entry.dn)}`;
    await write(ctx, "modifyDN", entry.dn, (c) => c.modifyDN(entry.dn, newDn));
    ctx.steps.push(`Renamed ${entry.dn} to ${newDn}`);
    entry = (await ctx.session.read(newDn)) ?? entry;
  }
  for (const [attribute, vals] of Object.entries(wanted)) {
    if (attribute.toLowerCase() === rdnAttr?.toLowerCase()) continue;
    const current = values(entry, attribute);
    if (vals === null) {
      if (current.length === 0) continue;
      changes.push(new Change({ operation: "delete", modification: new Attribute({ type: attribute, values: [] }) }));
      summary[attribute] = null;
    } else if (!sameValues(current, vals)) {
      changes.push(new Change({ operation: "replace", modification: new Attribute({ type: attribute, values: vals }) }));
      summary[attribute] = vals;
    }
  }
  const request = { method: "modify", url: entry.dn, body: { changes: summary } };
  if (changes.length > 0) {
    await write(ctx, "modify", entry.dn, (c) => c.modify(entry.dn, changes));
    ctx.steps.push(
      `Modified ${entry.dn}: ${Object.entries(summary)
        .map(([a, v]) => (v === null ? `removed ${a}` : `set ${a}`))
        .join(", ")}`,
    );
  } else {
    ctx.steps.push(`${entry.dn} already has these values; nothing modified`);
  }
  const bindings = await applyBindings(ctx, op, entry);
  return result(ctx, { request, accountExternalId: ctx.session.idOf(entry), bindings, alreadyDone: `No change needed: ${entry.dn}` });
}

async function remove(ctx: Ctx, op: ProvisionOperation): Promise<ProvisionResult> {
  const entry = await findAccount(ctx, op);
  if (!entry) {
    ctx.steps.push(`No account ${op.account.username} in the directory; nothing deleted`);
    return result(ctx, {
      request: { method: "delete", summary: `delete ${op.account.username}` },
      accountExternalId: op.account.externalId ?? null,
      alreadyDone: "No such account",
    });
  }
  // OpenLDAP keeps member values of a deleted entry unless refint is configured; take them out first.
  const uid = values(entry, "uid")[0];
  const filter = `(|${escapeFilter`(member=${entry.dn})`}${escapeFilter`(uniqueMember=${entry.dn})`}${uid ? escapeFilter`(memberUid=${uid})` : ""})`;
  for (const group of await ctx.session.find(ctx.session.groupBase, filter)) {
    await changeMembership(ctx, group, entry, false);
  }
  await write(ctx, "delete", entry.dn, (c) => c.del(entry.dn));
  ctx.steps.push(`Deleted ${entry.dn}`);
  return result(ctx, { request: { method: "delete", url: entry.dn }, accountExternalId: ctx.session.idOf(entry), alreadyDone: "" });
}

async function setEnabled(ctx: Ctx, op: ProvisionOperation, enable: boolean): Promise<ProvisionResult> {
  const strategy = ctx.settings.disable;
  if (!strategy) {
    throw new ConnectorError(
      `This LDAP directory has no disable strategy: choose one in the provisioning settings (set an attribute, or move the entry to another OU) before accounts can be ${enable ? "enabled" : "disabled"}`,
      "config",
    );
  }
  const entry = await requireAccount(ctx, op);
  const id = ctx.session.idOf(entry);
  if (strategy.strategy === "attribute") {
    const value = enable ? strategy.enabledValue : strategy.disabledValue;
    const current = values(entry, strategy.attribute);
    const done = value === undefined ? current.length === 0 : sameValues(current, [value]);
    const change =
      value === undefined
        ? new Change({ operation: "delete", modification: new Attribute({ type: strategy.attribute, values: [] }) })
        : new Change({ operation: "replace", modification: new Attribute({ type: strategy.attribute, values: [value] }) });
    const request = { method: "modify", url: entry.dn, body: { changes: { [strategy.attribute]: value === undefined ? null : [value] } } };
    if (done) {
      ctx.steps.push(`${entry.dn} is already ${enable ? "enabled" : "disabled"} (${strategy.attribute})`);
    } else {
      await write(ctx, "modify", entry.dn, (c) => c.modify(entry.dn, change));
      ctx.steps.push(
        value === undefined ? `Removed ${strategy.attribute} from ${entry.dn}` : `Set ${strategy.attribute}: ${value} on ${entry.dn}`,
      );
    }
    return result(ctx, { request, accountExternalId: id, alreadyDone: `Already ${enable ? "enabled" : "disabled"}` });
  }
  const target = enable ? ctx.accountBase : strategy.disabledBaseDn;
  const rdn = entry.dn.slice(0, entry.dn.length - parentDn(entry.dn).length - 1);
  const newDn = `${rdn},${target}`;
  const request = { method: "modifyDN", url: entry.dn, body: { newDn } };
  if (normalizeDn(parentDn(entry.dn)) === normalizeDn(target)) {
    ctx.steps.push(`${entry.dn} is already under ${target}`);
  } else {
    await write(ctx, "modifyDN", entry.dn, (c) => c.modifyDN(entry.dn, newDn));
    ctx.steps.push(`Moved ${entry.dn} to ${newDn}`);
  }
  return result(ctx, { request, accountExternalId: id, alreadyDone: `Already under ${target}` });
}

// ---------------------------------------------------------------- memberships

async function membership(ctx: Ctx, op: ProvisionOperation, grant: boolean): Promise<ProvisionResult> {
  if (!op.group) throw new ConnectorError(`A ${op.action} names a group; this one does not`, "bad_data");
  const group = await requireGroup(ctx, op.group);
  const account = grant ? await requireAccount(ctx, op) : await findAccount(ctx, op);
  const request = { method: "modify", url: group.dn, body: { [grant ? "add" : "delete"]: op.account.username } };
  if (!account) {
    ctx.steps.push(`No account ${op.account.username} in the directory, so it is not a member of ${group.dn}`);
    return result(ctx, { request, accountExternalId: op.account.externalId ?? null, alreadyDone: "No such account" });
  }
  const changed = await changeMembership(ctx, group, account, grant);
  return result(ctx, {
    request: changed ?? request,
    accountExternalId: ctx.session.idOf(account),
    alreadyDone: grant ? "Already a member" : "Not a member",
  });
}

/** Adds or removes the account in one group; returns the request made, or undefined when there was nothing to do. */
async function changeMembership(ctx: Ctx, group: Entry, account: Entry, add: boolean) {
  const classes = values(group, "objectClass").map((c) => c.toLowerCase());
  const [attribute, value] = classes.includes("groupofnames")
    ? ["member", account.dn]
    : classes.includes("groupofuniquenames")
      ? ["uniqueMember", account.dn]
      : classes.includes("posixgroup")
        ? ["memberUid", values(account, "uid")[0]]
        : [undefined, undefined];
  if (!attribute) {
    throw new ConnectorError(
      `${group.dn} is not a groupOfNames, groupOfUniqueNames or posixGroup, so its members cannot be changed`,
      "bad_data",
    );
  }
  if (!value) throw new ConnectorError(`${account.dn} has no uid, which posixGroup ${group.dn} lists its members by`, "bad_data");
  const current = values(group, attribute);
  const isMember =
    attribute === "memberUid"
      ? current.includes(value)
      : current.some((v) => normalizeDn(v.replace(/#'[01]*'B$/, "")) === normalizeDn(value));
  if (isMember === add) {
    ctx.steps.push(`${value} is ${add ? "already" : "not"} a member of ${group.dn}`);
    return undefined;
  }
  if (!add && attribute !== "memberUid" && current.length === 1) {
    throw new ConnectorError(
      `${value} is the last member of ${group.dn}, and a ${attribute === "member" ? "groupOfNames" : "groupOfUniqueNames"} must keep at least one`,
      "bad_data",
    );
  }
  const existingValue =
    attribute === "memberUid" ? value : (current.find((v) => normalizeDn(v.replace(/#'[01]*'B$/, "")) === normalizeDn(value)) ?? value);
  const change = new Change({
    operation: add ? "add" : "delete",
    modification: new Attribute({ type: attribute, values: [add ? value : existingValue] }),
  });
  await write(ctx, "modify", group.dn, (c) => c.modify(group.dn, change));
  ctx.steps.push(`${add ? "Added" : "Removed"} ${attribute} ${value} ${add ? "to" : "from"} ${group.dn}`);
  return { method: "modify", url: group.dn, body: { [add ? "add" : "delete"]: { [attribute]: value } } };
}

async function applyBindings(ctx: Ctx, op: ProvisionOperation, account: Entry): Promise<ProvisionResult["bindings"]> {
  const bind = op.bindGroups ?? [];
  const unbind = op.action === "update" ? (op.unbindGroups ?? []) : [];
  if (bind.length === 0 && unbind.length === 0) return undefined;
  const bindings: NonNullable<ProvisionResult["bindings"]> = { bound: [], unbound: [] };
  for (const [ids, add] of [
    [bind, true],
    [unbind, false],
  ] as const) {
    for (const externalId of ids) {
      const group = await requireGroup(ctx, { externalId });
      await changeMembership(ctx, group, account, add);
      (add ? bindings.bound : bindings.unbound).push({ externalId, name: values(group, "cn")[0] ?? null });
    }
  }
  return bindings;
}

// ---------------------------------------------------------------- lookups

/**
 * The account by its external id (entryUUID or DN, as the sync stores it),
 * else by uid (or the given RDN) anywhere under the base DN, so an entry a
 * disable moved to another OU is still found.
 */
async function findAccount(ctx: Ctx, op: ProvisionOperation, by?: { rdn: { attribute: string; value: string } }): Promise<Entry | null> {
  const bases = accountSearchBases(ctx);
  if (op.account.externalId) {
    for (const base of bases) {
      const byId = await findById(ctx, op.account.externalId, base);
      if (byId) return byId;
    }
  }
  const clauses = [escapeFilter`(uid=${op.account.username})`];
  if (by && by.rdn.attribute.toLowerCase() !== "uid") clauses.push(`(${by.rdn.attribute}=${escapeFilter`${by.rdn.value}`})`);
  const found: Entry[] = [];
  for (const base of bases) found.push(...(await ctx.session.find(base, `(&${ctx.session.userFilter}(|${clauses.join("")}))`)));
  if (found.length > 1) {
    throw new ConnectorError(
      `${found.length} entries match account ${op.account.username} (${found.map((e) => e.dn).join("; ")}); resolve the duplicate in the directory`,
      "bad_data",
    );
  }
  return found[0] ?? null;
}

/** The base DN, and the disabled-accounts OU when a move strategy puts it outside that base. */
function accountSearchBases(ctx: Ctx): string[] {
  const bases = [ctx.config.baseDn];
  const disabled = ctx.settings.disable?.strategy === "move" ? ctx.settings.disable.disabledBaseDn : undefined;
  if (disabled) {
    const d = normalizeDn(disabled);
    const b = normalizeDn(ctx.config.baseDn);
    if (d !== b && !d.endsWith(`,${b}`)) bases.push(disabled);
  }
  return bases;
}

async function requireAccount(ctx: Ctx, op: ProvisionOperation): Promise<Entry> {
  const entry = await findAccount(ctx, op);
  if (!entry) throw new ConnectorError(`No account ${op.account.username} under ${ctx.config.baseDn}`, "not_found");
  return entry;
}

async function requireGroup(ctx: Ctx, group: { externalId: string; name?: string | null }): Promise<Entry> {
  const entry = await findById(ctx, group.externalId, ctx.session.groupBase);
  if (!entry) {
    const named = group.name ? `${group.name} (${group.externalId})` : group.externalId;
    throw new ConnectorError(`Group ${named} does not exist under ${ctx.session.groupBase}`, "not_found");
  }
  return entry;
}

async function findById(ctx: Ctx, externalId: string, base: string): Promise<Entry | null> {
  if (externalId.includes("=")) return ctx.session.read(externalId);
  const found = await ctx.session.find(base, escapeFilter`(entryUUID=${externalId})`).catch((error: unknown) => {
    // entryUUID is a UUID; a value of another shape is rejected by the server's syntax check.
    const code = error instanceof ConnectorError ? (error.cause as { code?: unknown })?.code : undefined;
    if (code === 18 || code === 21) return [] as Entry[];
    throw error;
  });
  return found[0] ?? null;
}

// ---------------------------------------------------------------- helpers

/** The LDAP attributes an operation's canonical fields become; null = remove. inetOrgPerson's required cn and sn are filled in. */
function accountAttributes(ctx: Ctx, op: ProvisionOperation, current: Entry | null): Record<string, string[] | null> {
  const out: Record<string, string[] | null> = {};
  const given = op.attributes ?? {};
  if (op.action === "create") out[ctx.map.username] = [op.account.username];
  for (const [field, value] of Object.entries(given)) {
    const attribute = ctx.map[field as WritableField];
    if (!attribute) continue;
    out[attribute] = value === null || value === "" ? null : [value];
  }
  const sn = ctx.map.familyName;
  const required = ctx.settings.objectClasses.some((c) => /^(inetOrgPerson|organizationalPerson|person)$/i.test(c));
  if (required) {
    // sn is required: without a family name it falls back to the username rather than failing the add.
    const username = given.username ?? op.account.username;
    if (op.action === "create" && !out[sn]) out[sn] = [username];
    if (op.action === "update" && sn in out && out[sn] === null) out[sn] = [username];
    if (op.action === "create") {
      const cn = given.displayName || [given.givenName, given.familyName].filter(Boolean).join(" ") || op.account.username;
      out.cn ??= [cn];
    } else if (given.displayName && current && !values(current, "cn").includes(given.displayName)) {
      out.cn = [given.displayName];
    }
  }
  if (op.action === "create") for (const key of Object.keys(out)) if (out[key] === null) delete out[key];
  return out;
}

async function write(ctx: Ctx, operation: string, dn: string, call: Parameters<LdapSession["write"]>[1]): Promise<void> {
  try {
    await ctx.session.write(operation, call);
    ctx.wrote = true;
  } catch (error) {
    const code = error instanceof ConnectorError ? (error.cause as { code?: unknown })?.code : undefined;
    ctx.steps.push(`${operation} ${dn}: ${typeof code === "number" ? resultCodeName(code) : "failed"}`);
    if (error instanceof ConnectorError) throw new ConnectorError(`${error.message} (on ${dn})`, error.kind, { cause: error.cause });
    throw error;
  }
}

function result(
  ctx: Ctx,
  r: { request: ProvisionResult["request"]; accountExternalId: string | null; bindings?: ProvisionResult["bindings"]; alreadyDone: string },
): ProvisionResult {
  return {
    accountExternalId: r.accountExternalId,
    alreadyApplied: !ctx.wrote,
    request: r.request,
    response: { status: "success", body: ctx.wrote ? ctx.steps.at(-1) : r.alreadyDone },
    steps: ctx.steps,
    ...(r.bindings ? { bindings: r.bindings } : {}),
  };
}

function sameValues(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v) => b.includes(v));
}

/** "uid" for "uid=jdoe,ou=people,…" (single-valued RDNs, which is what this connector creates). */
function rdnAttributeOf(dn: string): string | undefined {
  const first = dn.split(/(?<!\\),/)[0];
  return first.includes("+") ? undefined : first.slice(0, first.indexOf("=")).trim() || undefined;
}

function parentDn(dn: string): string {
  const i = dn.search(/(?<!\\),/);
  return i < 0 ? "" : dn.slice(i + 1).trim();
}

/** An attribute value made safe inside a DN (RFC 4514 §2.4). */
export function escapeDnValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^([ #])/, "\\$1")
    .replace(/ $/, "\\ ")
    .replace(/\u0000/g, "\\00");
}
