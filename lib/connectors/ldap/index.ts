/**
 * LDAP connector (OpenLDAP, 389 DS, Active Directory…) over ldapts: users
 * become accounts, groupOfNames / groupOfUniqueNames / posixGroup entries
 * become groups, and their member / uniqueMember / memberUid values become
 * memberships. Reads with the paged-results control, one page in memory at a
 * time, and supports delta runs through modifyTimestamp.
 */
import { escapeFilter, type Entry } from "ldapts";
import type { Connector, ExtractOptions, ExtractPage, ExtractResult, ObjectType } from "../types";
import { DEFAULT_PAGE_SIZE, ldapConfigSchema, type LdapConfig } from "./config";
import { values } from "./entries";
import { ldapProvisioner } from "./provision";
import { LdapSession } from "./session";

export { ldapConfigSchema, type LdapConfig } from "./config";
export { normalizeDn } from "./entries";
export { ldapProvisionSettingsSchema, type LdapProvisionSettings } from "./provision";

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
  provisioner: ldapProvisioner,
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
