/**
 * LDAP connector (OpenLDAP, 389 DS, Active Directory…) over ldapts: users
 * become accounts, groupOfNames / groupOfUniqueNames / posixGroup entries
 * become groups, and their member / uniqueMember / memberUid values become
 * memberships. Reads with the paged-results control, one page in memory at a
 * time, and supports delta runs through modifyTimestamp.
 */
import type { ConnectionOptions } from "node:tls";
import { Client, escapeFilter, ResultCodeError, type Entry } from "ldapts";
import { z } from "zod";
import {
  ConnectorError,
  errorText,
  scrubSecrets,
  shownText,
  type Connector,
  type ExtractOptions,
  type ExtractPage,
  type ExtractResult,
  type ObjectType,
  type SourceRecord,
} from "./types";

const DEFAULT_USER_FILTER = "(objectClass=inetOrgPerson)";
const DEFAULT_GROUP_FILTER = "(|(objectClass=groupOfNames)(objectClass=posixGroup))";
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_PAGE_SIZE = 500;

const filterString = z
  .string()
  .trim()
  .regex(/^\(.*\)$/s, "An LDAP filter is wrapped in parentheses, e.g. (objectClass=person)");

export const ldapConfigSchema = z
  .object({
    url: z
      .string()
      .trim()
      .regex(/^ldaps?:\/\/[^\s/?#]+\/?$/i, "Use ldap://host[:port] or ldaps://host[:port]"),
    bindDn: z.string().trim().min(1, "Bind DN is required"),
    bindPassword: z.string().min(1, "Bind password is required"),
    baseDn: z.string().trim().min(1, "Base DN is required"),
    userBaseDn: z.string().trim().min(1).optional(),
    groupBaseDn: z.string().trim().min(1).optional(),
    userFilter: filterString.optional(),
    groupFilter: filterString.optional(),
    startTls: z.boolean().optional(),
    tlsRejectUnauthorized: z.boolean().optional(),
    tlsCaCert: z
      .string()
      .trim()
      .regex(/-----BEGIN CERTIFICATE-----/, "Paste the CA certificate in PEM form")
      .optional(),
    timeoutMs: z.number().int().min(1_000).max(600_000).optional(),
  })
  .refine((c) => !(c.startTls && /^ldaps:/i.test(c.url)), {
    message: "StartTLS is for ldap:// URLs; ldaps:// is already encrypted",
    path: ["startTls"],
  });
export type LdapConfig = z.infer<typeof ldapConfigSchema>;

/**
 * Never copied into records: password hashes and other credentials the rootDN
 * (or a broad service account) can read, and bulky binary attributes.
 */
const EXCLUDED_ATTRIBUTES = new Set(
  ["userPassword", "unicodePwd", "sambaNTPassword", "sambaLMPassword", "userPKCS12", "jpegPhoto", "thumbnailPhoto", "userCertificate", "userSMIMECertificate"].map((a) => a.toLowerCase()),
);
/** Member values are emitted as membership records; keeping them on the group would double a large group's size. */
const MEMBER_ATTRIBUTES = new Set(["member", "uniquemember", "memberuid"]);
/** entryUUID and modifyTimestamp are operational: not returned by "*" unless asked for. */
const READ_ATTRIBUTES = ["*", "entryUUID", "modifyTimestamp"];

export const ldapConnector: Connector<LdapConfig> = {
  type: "ldap",
  label: "LDAP directory",
  configSchema: ldapConfigSchema,
  secretFields: ["bindPassword"],
  capabilities: { objectTypes: ["account", "group", "membership"], delta: true },
  endpoints: (config) => [{ path: "url", url: config.url }],
  defaultMapping: {
    account: {
      uid: "username",
      mail: "email",
      displayName: "displayName",
      givenName: "givenName",
      sn: "familyName",
      departmentNumber: "department",
      title: "title",
      managerExternalId: "managerExternalId",
    },
    group: { cn: "name", description: "description" },
    membership: { groupExternalId: "groupExternalId", memberExternalId: "memberExternalId" },
  },

  async test(config, signal) {
    const session = await LdapSession.open(config, signal);
    try {
      const accounts = await session.count(session.userBase, session.userFilter);
      const groups = await session.count(session.groupBase, session.groupFilter);
      return {
        summary: `Connected to ${config.url} as ${config.bindDn}: ${accounts} accounts under ${session.userBase}, ${groups} groups under ${session.groupBase}`,
        counts: { account: accounts, group: groups },
      };
    } finally {
      await session.close();
    }
  },

  extract: extractLdap,
};

async function* extractLdap(config: LdapConfig, opts: ExtractOptions): AsyncGenerator<ExtractPage, ExtractResult> {
  const session = await LdapSession.open(config, opts.signal);
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const wanted = new Set(opts.objectTypes);
  const newCursors: Partial<Record<ObjectType, string>> = {};
  let usedDelta = false;
  try {
    if (wanted.has("account")) {
      const since = opts.cursors?.account;
      usedDelta ||= since !== undefined;
      let max = since;
      for await (const entries of session.search(session.userBase, withSince(session.userFilter, since), pageSize)) {
        if (entries.length === 0) continue;
        max = maxTimestamp(max, entries);
        session.remember(entries, true);
        const managers = await session.managerIds(entries);
        yield { objectType: "account", records: entries.map((e) => session.toRecord("account", e, managers)) };
      }
      if (max) newCursors.account = max;
    }

    if (wanted.has("group") || wanted.has("membership")) {
      // A membership change is a modify of the group entry, so one group read
      // serves both; with different stored cursors the earlier one is used so
      // neither type misses a change (a few unchanged groups are re-read).
      const since = groupSince(opts.cursors, wanted);
      usedDelta ||= since !== undefined;
      let max = since;
      for await (const entries of session.search(session.groupBase, withSince(session.groupFilter, since), pageSize)) {
        if (entries.length === 0) continue;
        max = maxTimestamp(max, entries);
        session.remember(entries, false);
        if (wanted.has("group")) {
          yield { objectType: "group", records: entries.map((e) => session.toRecord("group", e)) };
        }
        if (wanted.has("membership")) yield await session.memberships(entries);
      }
      if (max && wanted.has("group")) newCursors.group = max;
      if (max && wanted.has("membership")) newCursors.membership = max;
    }
    return { cursors: newCursors, mode: usedDelta ? "delta" : "full" };
  } finally {
    await session.close();
  }
}

function groupSince(cursors: ExtractOptions["cursors"], wanted: Set<ObjectType>): string | undefined {
  if (!cursors) return undefined;
  const relevant = (["group", "membership"] as const).filter((t) => wanted.has(t)).map((t) => cursors[t]);
  if (relevant.some((c) => !c)) return undefined;
  return (relevant as string[]).reduce((a, b) => (timeKey(a) <= timeKey(b) ? a : b));
}

/**
 * modifyTimestamp is whole seconds on most servers, so ">=" re-reads entries
 * changed in the cursor's own second rather than missing one changed just
 * after the last read. LDAP has no standard way to show deletions in a delta
 * (a deleted entry simply stops matching); a full run retires them.
 */
function withSince(filter: string, since: string | undefined): string {
  return since ? `(&${filter}${escapeFilter`(modifyTimestamp>=${since})`})` : filter;
}

function maxTimestamp(current: string | undefined, entries: Entry[]): string | undefined {
  let max = current;
  for (const entry of entries) {
    const ts = values(entry, "modifyTimestamp")[0];
    if (ts && (!max || timeKey(ts) > timeKey(max))) max = ts;
  }
  return max;
}

/** GeneralizedTime ("20240102030405Z", AD: "20240102030405.0Z") as a sortable key. */
function timeKey(generalizedTime: string): string {
  const [whole, fraction = ""] = generalizedTime.replace(/Z$/i, "").split(".");
  return `${whole.padEnd(14, "0")}.${fraction.padEnd(6, "0")}`;
}

/** One bound connection plus the settings it was opened with. */
class LdapSession {
  readonly userBase: string;
  readonly groupBase: string;
  readonly userFilter: string;
  readonly groupFilter: string;
  /** A second connection for member lookups, so they never interleave with a paged search. */
  private lookupClient: Client | undefined;
  private readonly ids = new BoundedCache();
  private readonly onAbort = () => void this.close();

  private constructor(
    private readonly config: LdapConfig,
    private readonly client: Client,
    /** entryUUID survives renames and moves; directories without it (AD) are identified by DN. */
    private readonly useEntryUuid: boolean,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.userBase = config.userBaseDn ?? config.baseDn;
    this.groupBase = config.groupBaseDn ?? config.baseDn;
    this.userFilter = config.userFilter ?? DEFAULT_USER_FILTER;
    this.groupFilter = config.groupFilter ?? DEFAULT_GROUP_FILTER;
    signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  static async open(config: LdapConfig, signal?: AbortSignal): Promise<LdapSession> {
    signal?.throwIfAborted();
    const client = await connect(config, signal);
    try {
      const base = await guard(config, signal, "search", () =>
        client.search(config.baseDn, { scope: "base", attributes: ["entryUUID"] }),
      );
      const useEntryUuid = base.searchEntries.some((e) => values(e, "entryUUID").length > 0);
      return new LdapSession(config, client, useEntryUuid, signal);
    } catch (error) {
      await client.unbind().catch(() => undefined);
      throw error;
    }
  }

  async *search(base: string, filter: string, pageSize: number): AsyncGenerator<Entry[]> {
    const pages = this.client.searchPaginated(base, {
      scope: "sub",
      filter,
      attributes: READ_ATTRIBUTES,
      paged: { pageSize },
    });
    while (true) {
      const page = await guard(this.config, this.signal, "search", () => pages.next());
      if (page.done) return;
      yield page.value.searchEntries;
    }
  }

  async count(base: string, filter: string): Promise<number> {
    let n = 0;
    // "1.1" asks for no attributes: the count needs only the entries.
    const pages = this.client.searchPaginated(base, { scope: "sub", filter, attributes: ["1.1"], paged: { pageSize: 1000 } });
    while (true) {
      const page = await guard(this.config, this.signal, "search", () => pages.next());
      if (page.done) return n;
      n += page.value.searchEntries.length;
    }
  }

  /**
   * `manager` holds a DN; with entryUUID as the externalId it must be looked
   * up too, so an account record also carries the manager's externalId as
   * `managerExternalId` (absent when the manager is not in scope).
   */
  toRecord(objectType: "account" | "group", entry: Entry, managerIds?: Map<string, string | null>): SourceRecord {
    const attributes: Record<string, unknown> = { dn: entry.dn };
    const managerDn = values(entry, "manager")[0];
    const managerExternalId = managerDn ? managerIds?.get(normalizeDn(managerDn)) : undefined;
    if (managerExternalId) attributes.managerExternalId = managerExternalId;
    for (const [name, value] of Object.entries(entry)) {
      const lower = name.toLowerCase();
      if (lower === "dn" || EXCLUDED_ATTRIBUTES.has(lower)) continue;
      if (objectType === "group" && MEMBER_ATTRIBUTES.has(lower)) continue;
      attributes[name] = Buffer.isBuffer(value) ? value.toString("base64") : Array.isArray(value) ? value.map(String) : value;
    }
    return { objectType, externalId: this.idOf(entry), attributes };
  }

  /**
   * Entries read in scope answer later member references to them without a
   * lookup: most members of most groups are accounts the run has just read.
   */
  remember(entries: Entry[], accounts: boolean): void {
    for (const entry of entries) {
      const id = this.idOf(entry);
      this.ids.set(`dn:${normalizeDn(entry.dn)}`, id);
      if (accounts) for (const uid of values(entry, "uid")) this.ids.set(`uid:${uid}`, id);
    }
  }

  async managerIds(accounts: Entry[]): Promise<Map<string, string | null>> {
    const dns = new Set(accounts.flatMap((a) => values(a, "manager").map(normalizeDn)));
    return this.resolve("dn", dns, (missing) => this.lookupDns(missing));
  }

  /** The memberships of a page of groups; members that are not accounts or groups in scope are rejected. */
  async memberships(groups: Entry[]): Promise<ExtractPage> {
    const dns = new Set<string>();
    const uids = new Set<string>();
    for (const group of groups) {
      for (const dn of memberDns(group)) dns.add(normalizeDn(dn));
      for (const uid of values(group, "memberUid")) uids.add(uid);
    }
    const idByDn = await this.resolve("dn", dns, (missing) => this.lookupDns(missing));
    const idByUid = await this.resolve("uid", uids, (missing) => this.lookupUids(missing));

    const records: SourceRecord[] = [];
    const rejected: NonNullable<ExtractPage["rejected"]> = [];
    for (const group of groups) {
      const groupExternalId = this.idOf(group);
      const seen = new Set<string>();
      const add = (memberExternalId: string | null | undefined, reference: string) => {
        if (!memberExternalId) {
          rejected.push({ externalId: groupExternalId, reason: `${group.dn}: member ${reference} is not an account or group in scope` });
          return;
        }
        if (seen.has(memberExternalId)) return;
        seen.add(memberExternalId);
        records.push({
          objectType: "membership",
          externalId: `${groupExternalId}|${memberExternalId}`,
          attributes: { groupExternalId, memberExternalId },
        });
      };
      for (const dn of memberDns(group)) add(idByDn.get(normalizeDn(dn)), dn);
      for (const uid of values(group, "memberUid")) add(idByUid.get(uid), `uid=${uid}`);
    }
    return { objectType: "membership", records, ...(rejected.length ? { rejected } : {}) };
  }

  async close(): Promise<void> {
    this.signal?.removeEventListener("abort", this.onAbort);
    const clients = [this.client, this.lookupClient];
    this.lookupClient = undefined;
    await Promise.all(clients.map((c) => c?.unbind().catch(() => undefined)));
  }

  private idOf(entry: Entry): string {
    const uuid = this.useEntryUuid ? values(entry, "entryUUID")[0] : undefined;
    return uuid ?? normalizeDn(entry.dn);
  }

  private inScope(dn: string): boolean {
    const n = normalizeDn(dn);
    return [this.userBase, this.groupBase].some((base) => {
      const b = normalizeDn(base);
      return n === b || n.endsWith(`,${b}`);
    });
  }

  private async lookups(): Promise<Client> {
    this.lookupClient ??= await connect(this.config, this.signal);
    return this.lookupClient;
  }

  /**
   * Member references -> externalIds (null: not in scope) for one page of
   * groups. The same people are members of many groups, so answers are cached
   * across pages; the returned map holds just this page's keys.
   */
  private async resolve(
    kind: "dn" | "uid",
    keys: Set<string>,
    lookup: (missing: string[]) => Promise<Map<string, string | null>>,
  ): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    const missing: string[] = [];
    for (const key of keys) {
      const cached = this.ids.get(`${kind}:${key}`);
      if (cached === undefined) missing.push(key);
      else out.set(key, cached);
    }
    if (missing.length > 0) {
      for (const [key, id] of await lookup(missing)) {
        out.set(key, id);
        this.ids.set(`${kind}:${key}`, id);
      }
    }
    return out;
  }

  /**
   * A base-scope read per member DN: an exact lookup every directory answers
   * quickly, whether or not it can filter on entryDN. A few run at once over
   * the lookup connection.
   */
  private async lookupDns(dns: string[]): Promise<Map<string, string | null>> {
    const client = await this.lookups();
    const scopeFilter = `(|${this.userFilter}${this.groupFilter})`;
    const found = new Map<string, string | null>();
    await forEachConcurrently(dns, 16, async (dn) => {
      let id: string | null = null;
      if (this.inScope(dn)) {
        try {
          const { searchEntries } = await guard(this.config, this.signal, "search", () =>
            client.search(dn, { scope: "base", filter: scopeFilter, attributes: ["entryUUID"] }),
          );
          if (searchEntries[0]) id = this.idOf(searchEntries[0]);
        } catch (error) {
          // A member DN that no longer exists (or is malformed) is dangling data, not a failed run.
          const code = error instanceof ConnectorError ? (error.cause as { code?: unknown })?.code : undefined;
          if (code !== 32 && code !== 34) throw error;
        }
      }
      found.set(dn, id);
    });
    return found;
  }

  /** posixGroup members are uids: resolved to accounts in OR-batches (uid is indexed in practice). */
  private async lookupUids(uids: string[]): Promise<Map<string, string | null>> {
    const client = await this.lookups();
    const found = new Map<string, string | null>(uids.map((uid) => [uid, null]));
    for (let i = 0; i < uids.length; i += 100) {
      const any = uids.slice(i, i + 100).map((uid) => escapeFilter`(uid=${uid})`).join("");
      const pages = client.searchPaginated(this.userBase, {
        scope: "sub",
        filter: `(&${this.userFilter}(|${any}))`,
        attributes: ["uid", "entryUUID"],
        paged: { pageSize: 500 },
      });
      while (true) {
        const page = await guard(this.config, this.signal, "search", () => pages.next());
        if (page.done) break;
        for (const entry of page.value.searchEntries) {
          for (const uid of values(entry, "uid")) if (found.has(uid)) found.set(uid, this.idOf(entry));
        }
      }
    }
    return found;
  }
}

async function connect(config: LdapConfig, signal: AbortSignal | undefined): Promise<Client> {
  const timeout = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tlsOptions: ConnectionOptions = {
    rejectUnauthorized: config.tlsRejectUnauthorized ?? true,
    ...(config.tlsCaCert ? { ca: [config.tlsCaCert] } : {}),
  };
  // ldapts speaks TLS from the first byte whenever tlsOptions are given, so
  // they go to the client only for ldaps://; StartTLS gets them at upgrade.
  const ldaps = /^ldaps:/i.test(config.url);
  const client = new Client({ url: config.url, timeout, connectTimeout: timeout, ...(ldaps ? { tlsOptions } : {}) });
  try {
    if (config.startTls) await guard(config, signal, "StartTLS", () => client.startTLS(tlsOptions));
    await guard(config, signal, "bind", () => client.bind(config.bindDn, config.bindPassword));
    return client;
  } catch (error) {
    await client.unbind().catch(() => undefined);
    throw error;
  }
}

/** Runs one LDAP call and turns whatever it throws into a ConnectorError (or the abort reason). */
async function guard<T>(config: LdapConfig, signal: AbortSignal | undefined, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw toConnectorError(config, operation, error);
  }
}

/** RFC 4511 result codes, named the way LDAP tools print them. */
const RESULT_CODES: Record<number, string> = {
  1: "Operations Error",
  2: "Protocol Error",
  3: "Time Limit Exceeded",
  4: "Size Limit Exceeded",
  7: "Auth Method Not Supported",
  8: "Strong(er) Authentication Required",
  11: "Administrative Limit Exceeded",
  12: "Unavailable Critical Extension",
  13: "Confidentiality Required",
  16: "No Such Attribute",
  17: "Undefined Attribute Type",
  18: "Inappropriate Matching",
  19: "Constraint Violation",
  21: "Invalid Attribute Syntax",
  32: "No Such Object",
  34: "Invalid DN Syntax",
  36: "Alias Dereferencing Problem",
  48: "Inappropriate Authentication",
  49: "Invalid Credentials",
  50: "Insufficient Access",
  51: "Server is Busy",
  52: "Server is Unavailable",
  53: "Server is Unwilling to Perform",
  54: "Loop Detected",
  80: "Other (e.g., implementation specific) Error",
};

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EPIPE"]);

function toConnectorError(config: LdapConfig, operation: string, error: unknown): ConnectorError {
  // The diagnostic and the library's words may carry what the server sent: capped and stripped.
  const scrub = (message: string) => shownText(scrubSecrets(message, [config.bindPassword]), 400);
  if (error instanceof ResultCodeError) {
    const name = RESULT_CODES[error.code] ?? `Result code ${error.code}`;
    // ldapts appends " Code: 0x31" to the server's diagnostic, or uses its own
    // sentence when the server sent none; keep only a diagnostic that adds something.
    const diagnostic = shownText(error.message.replace(/\s*Code: 0x[0-9a-f]+$/i, ""));
    const adds = diagnostic && !letters(diagnostic).startsWith(letters(name).slice(0, 12));
    let message = `LDAP ${operation} failed: ${name} (${error.code})${adds ? `: ${diagnostic}` : ""}`;
    if (error.code === 32 && operation === "search") message += ` — check the base DN settings`;
    return new ConnectorError(scrub(message), ldapKind(error.code), { cause: error });
  }
  const code = (error as { code?: unknown })?.code;
  const text = errorText(error);
  if (typeof code === "string" && NETWORK_CODES.has(code)) return new ConnectorError(scrub(text), "unreachable", { cause: error });
  if (/timed? ?out|timeout/i.test(text)) {
    return new ConnectorError(scrub(`LDAP ${operation} to ${config.url} timed out (${text})`), "unreachable", { cause: error });
  }
  if (/Connection closed|socket/i.test(text)) return new ConnectorError(scrub(`LDAP ${operation} failed: ${text}`), "unreachable", { cause: error });
  if ((typeof code === "string" && /CERT|TLS|SSL/.test(code)) || /certificate|TLS|SSL/i.test(text)) {
    return new ConnectorError(scrub(`LDAP TLS failed: ${text}`), "config", { cause: error });
  }
  // ldapts rejects a malformed filter or DN before sending anything.
  if (/filter|DN/i.test(text)) return new ConnectorError(scrub(`LDAP ${operation} failed: ${text}`), "config", { cause: error });
  return new ConnectorError(scrub(`LDAP ${operation} failed: ${text}`), "protocol", { cause: error });
}

function ldapKind(code: number): ConnectorError["kind"] {
  if (code === 48 || code === 49 || code === 50) return "auth";
  if (code === 51 || code === 52) return "unreachable";
  if (code === 7 || code === 8 || code === 13 || code === 17 || code === 32 || code === 34) return "config";
  return "protocol";
}

const letters = (s: string) => s.toLowerCase().replace(/[^a-z]/g, "");

function values(entry: Entry, attribute: string): string[] {
  const lower = attribute.toLowerCase();
  const key = Object.keys(entry).find((k) => k.toLowerCase() === lower);
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function memberDns(group: Entry): string[] {
  // uniqueMember may carry an optional "#'0101'B" UID suffix (RFC 4519).
  return [...values(group, "member"), ...values(group, "uniqueMember").map((v) => v.replace(/#'[01]*'B$/, ""))];
}

/** DNs with no escapes, no multi-valued RDNs and no spaces around separators: lower case is their canonical form. */
const PLAIN_DN = /^[^\\+\s](?:[^\\+]*[^\\+\s])?$/;
const SPACE_AT_SEPARATOR = /\s[,=]|[,=]\s/;

/** Case and spacing differ between a member value and the entry's own DN; compare them canonically. */
export function normalizeDn(dn: string): string {
  // Most DNs a directory returns are plain; the split below is for the others.
  if (PLAIN_DN.test(dn) && !SPACE_AT_SEPARATOR.test(dn)) return dn.toLowerCase();
  return dn
    .split(/(?<!\\),/)
    .map((rdn) =>
      rdn
        .split(/(?<!\\)\+/)
        .map((ava) => {
          const i = ava.indexOf("=");
          return `${ava.slice(0, i).trim().toLowerCase()}=${ava.slice(i + 1).trim().toLowerCase()}`;
        })
        .join("+"),
    )
    .join(",");
}

async function forEachConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * A lookup cache whose memory stays bounded however large the directory is
 * (about 150 bytes a key): the oldest key goes first, and a miss only costs
 * one lookup.
 */
class BoundedCache {
  private map = new Map<string, string | null>();
  constructor(private readonly limit = 300_000) {}
  get(key: string) {
    return this.map.get(key);
  }
  set(key: string, value: string | null) {
    if (this.map.size >= this.limit && !this.map.has(key)) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, value);
  }
}
