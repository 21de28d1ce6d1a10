/**
 * One bound LDAP connection (and a second one for member lookups) with the
 * settings it was opened with: paged searches, id lookups behind a bounded
 * cache, and StartTLS / ldaps as configured.
 */
import type { ConnectionOptions } from "node:tls";
import { Client, escapeFilter, type Entry } from "ldapts";
import { ConnectorError, type ExtractPage, type SourceRecord } from "../types";
import {
  DEFAULT_GROUP_FILTER,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_FILTER,
  EXCLUDED_ATTRIBUTES,
  MEMBER_ATTRIBUTES,
  READ_ATTRIBUTES,
  type LdapConfig,
} from "./config";
import { memberDns, normalizeDn, values } from "./entries";
import { guard, guardWrite } from "./errors";

/** One bound connection plus the settings it was opened with. */
export class LdapSession {
  readonly userBase: string;
  readonly groupBase: string;
  readonly userFilter: string;
  readonly groupFilter: string;
  /** A second connection for member lookups, so they never interleave with a paged search. */
  private lookupClient: Client | undefined;
  private readonly ids = new BoundedCache();
  private readonly onAbort = () => void this.close();
  private closed = false;

  private constructor(
    private readonly config: LdapConfig,
    private readonly client: Client,
    /** entryUUID survives renames and moves; directories without it (AD) are identified by DN. */
    private readonly useEntryUuid: boolean,
    private signal: AbortSignal | undefined,
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
      const base = await guard(config, signal, "search", () => client.search(config.baseDn, { scope: "base", attributes: ["entryUUID"] }));
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

  /** One entry by DN with the attributes a sync reads, or null when there is none. */
  async read(dn: string): Promise<Entry | null> {
    try {
      const { searchEntries } = await guard(this.config, this.signal, "search", () =>
        this.client.search(dn, { scope: "base", attributes: READ_ATTRIBUTES }),
      );
      return searchEntries[0] ?? null;
    } catch (error) {
      const code = error instanceof ConnectorError ? (error.cause as { code?: unknown })?.code : undefined;
      if (code === 32) return null;
      throw error;
    }
  }

  /** Entries matching a filter under a base; a base that does not exist finds nothing. */
  async find(base: string, filter: string): Promise<Entry[]> {
    try {
      const { searchEntries } = await guard(this.config, this.signal, "search", () =>
        this.client.search(base, { scope: "sub", filter, attributes: READ_ATTRIBUTES }),
      );
      return searchEntries;
    } catch (error) {
      const code = error instanceof ConnectorError ? (error.cause as { code?: unknown })?.code : undefined;
      if (code === 32) return [];
      throw error;
    }
  }

  /** A write over the session's connection; a refusal becomes a ConnectorError classified for writes. */
  async write(operation: string, call: (client: Client) => Promise<void>): Promise<void> {
    await guardWrite(this.config, this.signal, operation, () => call(this.client));
  }

  /** Whether the connection can serve another operation: a kept session may have been dropped by the server meanwhile. */
  get usable(): boolean {
    return !this.closed && !this.signal?.aborted && this.client.isConnected;
  }

  /** Hands a kept session to its next user, whose signal then aborts it. */
  use(signal: AbortSignal | undefined): void {
    this.signal?.removeEventListener("abort", this.onAbort);
    this.signal = signal;
    signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signal?.removeEventListener("abort", this.onAbort);
    const clients = [this.client, this.lookupClient];
    this.lookupClient = undefined;
    await Promise.all(clients.map((c) => c?.unbind().catch(() => undefined)));
  }

  /** The external id a sync gives this entry: entryUUID where the directory has it, else the canonical DN. */
  idOf(entry: Entry): string {
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
      const any = uids
        .slice(i, i + 100)
        .map((uid) => escapeFilter`(uid=${uid})`)
        .join("");
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
