/**
 * SCIM 2.0 connector (RFC 7643 / 7644) over global fetch: /Users (with the
 * enterprise extension) become accounts, /Groups become groups and their
 * `members` become memberships. Lists are read with startIndex/count, one page
 * in memory at a time; delta runs filter on meta.lastModified when the service
 * provider says it supports filtering. 429 (and 503) answers are retried after
 * the server's Retry-After, a bounded number of times.
 */
import { z } from "zod";
import { ENTERPRISE_USER, GROUPS, ScimClient, USERS } from "./scim-client";
import { scimProvisioner } from "./scim-provision";
import type { Connector, ExtractOptions, ExtractPage, ExtractResult, ObjectType, SourceRecord } from "./types";

export { ENTERPRISE_USER, retryAfterMs } from "./scim-client";
const DEFAULT_PAGE_SIZE = 100;

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export const scimConfigSchema = z.object({
  baseUrl: z
    .string()
    .trim()
    .pipe(z.url({ protocol: /^https?$/, error: "Enter the SCIM base URL, e.g. https://example.com/scim/v2" }))
    .transform((url) => url.replace(/\/+$/, ""))
    .refine((url) => url.startsWith("https:") || LOOPBACK_HOST.test(new URL(url).hostname), {
      // The bearer token would travel in clear text.
      error: "Use https:// (plain http is only allowed for localhost)",
    }),
  bearerToken: z.string().min(1, "Bearer token is required"),
  pageSize: z.number().int().min(1).max(1000).optional(),
  timeoutMs: z.number().int().min(1_000).max(600_000).optional(),
});
export type ScimConfig = z.infer<typeof scimConfigSchema>;

export const scimConnector: Connector<ScimConfig> = {
  type: "scim",
  label: "SCIM 2.0 service provider",
  configSchema: scimConfigSchema,
  secretFields: ["bearerToken"],
  capabilities: { objectTypes: ["account", "group", "membership"], delta: true },
  endpoints: (config) => [{ path: "baseUrl", url: config.baseUrl }],
  defaultMapping: {
    account: {
      userName: "username",
      emails: "email",
      displayName: "displayName",
      "name.givenName": "givenName",
      "name.familyName": "familyName",
      active: "status",
      title: "title",
      [`${ENTERPRISE_USER}:department`]: "department",
      [`${ENTERPRISE_USER}:manager`]: "managerExternalId",
    },
    group: { displayName: "name" },
    membership: { groupExternalId: "groupExternalId", memberExternalId: "memberExternalId" },
  },

  async test(config, signal) {
    const client = new ScimClient(config, signal);
    const filtering = await client.filterSupported();
    const users = await client.list(USERS, 1, 1);
    const groups = await client.list(GROUPS, 1, 1);
    const counts = { account: users.totalResults ?? 0, group: groups.totalResults ?? 0 };
    return {
      summary: `Connected to ${config.baseUrl}: ${counts.account} users, ${counts.group} groups; ${filtering ? "delta sync by meta.lastModified available" : "no filtering, every sync is full"}`,
      counts,
    };
  },

  extract: extractScim,
  provisioner: scimProvisioner,
};

async function* extractScim(config: ScimConfig, opts: ExtractOptions): AsyncGenerator<ExtractPage, ExtractResult> {
  const client = new ScimClient(config, opts.signal);
  const pageSize = opts.pageSize ?? config.pageSize ?? DEFAULT_PAGE_SIZE;
  const wanted = new Set(opts.objectTypes);
  const canFilter = opts.cursors ? await client.filterSupported() : false;
  const newCursors: Partial<Record<ObjectType, string>> = {};
  let usedDelta = false;

  if (wanted.has("account")) {
    const since = canFilter ? opts.cursors?.account : undefined;
    usedDelta ||= since !== undefined;
    let max = since;
    for await (const page of client.pages(USERS, pageSize, since)) {
      max = maxLastModified(max, page.resources);
      yield { objectType: "account", records: page.resources.map((r) => toRecord("account", r)), total: page.total };
    }
    if (max) newCursors.account = max;
  }

  if (wanted.has("group") || wanted.has("membership")) {
    // A membership change updates the group's meta.lastModified, so one read
    // of /Groups serves both types; with different cursors the earlier wins.
    const since = canFilter ? earliest(opts.cursors, wanted) : undefined;
    usedDelta ||= since !== undefined;
    let max = since;
    for await (const page of client.pages(GROUPS, pageSize, since)) {
      max = maxLastModified(max, page.resources);
      if (wanted.has("group")) {
        yield { objectType: "group", records: page.resources.map((r) => toRecord("group", r)), total: page.total };
      }
      if (wanted.has("membership")) yield memberships(page.resources);
    }
    if (max && wanted.has("group")) newCursors.group = max;
    if (max && wanted.has("membership")) newCursors.membership = max;
  }
  return { cursors: newCursors, mode: usedDelta ? "delta" : "full" };
}

function toRecord(objectType: "account" | "group", resource: Record<string, unknown>): SourceRecord {
  // Members are emitted as membership records; keeping them here would double a large group.
  const { members: _members, ...attributes } = resource;
  return { objectType, externalId: String(resource.id), attributes: objectType === "group" ? attributes : resource };
}

function memberships(groups: Record<string, unknown>[]): ExtractPage {
  const records: SourceRecord[] = [];
  const rejected: NonNullable<ExtractPage["rejected"]> = [];
  for (const group of groups) {
    const groupExternalId = String(group.id);
    const members = Array.isArray(group.members) ? group.members : [];
    const seen = new Set<string>();
    for (const member of members as { value?: unknown }[]) {
      const memberExternalId = typeof member?.value === "string" ? member.value : undefined;
      if (!memberExternalId) {
        rejected.push({ externalId: groupExternalId, reason: `group ${groupExternalId} has a member without a value` });
        continue;
      }
      if (seen.has(memberExternalId)) continue;
      seen.add(memberExternalId);
      records.push({
        objectType: "membership",
        externalId: `${groupExternalId}|${memberExternalId}`,
        attributes: { groupExternalId, memberExternalId },
      });
    }
  }
  return { objectType: "membership", records, ...(rejected.length ? { rejected } : {}) };
}

function earliest(cursors: ExtractOptions["cursors"], wanted: Set<ObjectType>): string | undefined {
  const relevant = (["group", "membership"] as const).filter((t) => wanted.has(t)).map((t) => cursors?.[t]);
  if (relevant.length === 0 || relevant.some((c) => !c)) return undefined;
  return (relevant as string[]).reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
}

function maxLastModified(current: string | undefined, resources: Record<string, unknown>[]): string | undefined {
  let max = current;
  for (const resource of resources) {
    const value = (resource.meta as { lastModified?: unknown } | undefined)?.lastModified;
    if (typeof value !== "string" || Number.isNaN(Date.parse(value))) continue;
    if (!max || Date.parse(value) > Date.parse(max)) max = value;
  }
  return max;
}
