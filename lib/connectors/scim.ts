/**
 * SCIM 2.0 connector (RFC 7643 / 7644) over global fetch: /Users (with the
 * enterprise extension) become accounts, /Groups become groups and their
 * `members` become memberships. Lists are read with startIndex/count, one page
 * in memory at a time; delta runs filter on meta.lastModified when the service
 * provider says it supports filtering. 429 (and 503) answers are retried after
 * the server's Retry-After, a bounded number of times.
 */
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

const ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_RETRIES = 4;
/** Longer waits than this fail the run as rate-limited instead of holding a worker. */
const MAX_RETRY_WAIT_MS = 120_000;

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

type ListResponse = { totalResults?: number; Resources?: Record<string, unknown>[]; itemsPerPage?: number };
type Endpoint = { path: "/Users" | "/Groups"; what: string };
const USERS: Endpoint = { path: "/Users", what: "users" };
const GROUPS: Endpoint = { path: "/Groups", what: "groups" };

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

/** GET requests against one service provider, with auth, timeouts, retries and readable errors. */
class ScimClient {
  constructor(
    private readonly config: ScimConfig,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** RFC 7644 requires /ServiceProviderConfig, but some providers lack it: then no filtering is assumed. */
  async filterSupported(): Promise<boolean> {
    const spc = await this.get("/ServiceProviderConfig", {}, { missingOk: true });
    return (spc as { filter?: { supported?: unknown } } | undefined)?.filter?.supported === true;
  }

  /**
   * Every resource of an endpoint, page by page. `since` adds
   * `meta.lastModified ge "<since>"`: "ge", not "gt", so a change made in the
   * same instant as the last one seen is read again rather than lost (many
   * providers keep whole seconds). SCIM shows no deletions in such a filter;
   * a full run retires deleted objects.
   */
  async *pages(endpoint: Endpoint, count: number, since: string | undefined) {
    const filter = since ? `meta.lastModified ge "${since.replace(/["\\]/g, "")}"` : undefined;
    let startIndex = 1;
    while (true) {
      const page = await this.list(endpoint, startIndex, count, filter);
      const resources = page.Resources ?? [];
      if (resources.length > 0) yield { resources, total: page.totalResults };
      startIndex += resources.length;
      // An empty page ends the list even if totalResults promised more (it changed under us).
      if (resources.length === 0 || page.totalResults === undefined || startIndex > page.totalResults) return;
    }
  }

  async list(endpoint: Endpoint, startIndex: number, count: number, filter?: string): Promise<ListResponse> {
    const body = (await this.get(endpoint.path, {
      startIndex: String(startIndex),
      count: String(count),
      ...(filter ? { filter } : {}),
    })) as ListResponse;
    const valid =
      typeof body === "object" &&
      body !== null &&
      (body.totalResults === undefined || Number.isInteger(body.totalResults)) &&
      (body.Resources === undefined ||
        (Array.isArray(body.Resources) && body.Resources.every((r) => r && typeof r === "object" && "id" in r)));
    if (!valid) {
      throw new ConnectorError(`SCIM GET ${endpoint.path} did not answer with a ListResponse of ${endpoint.what}`, "protocol");
    }
    return body;
  }

  private async get(path: string, query: Record<string, string>, { missingOk = false } = {}): Promise<unknown> {
    const url = new URL(`${this.config.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const what = `SCIM GET ${path}`;
    const timeoutMs = this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS;

    for (let attempt = 0; ; attempt++) {
      this.signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { Authorization: `Bearer ${this.config.bearerToken}`, Accept: "application/scim+json, application/json" },
          // A redirect could lead past the network policy (and would carry the token): refuse it.
          redirect: "manual",
          signal: this.signal ? AbortSignal.any([this.signal, timeout]) : timeout,
        });
      } catch (error) {
        if (this.signal?.aborted) throw this.signal.reason;
        if (timeout.aborted) throw this.error(`${what} timed out after ${timeoutMs} ms`, "unreachable", error);
        // fetch says only "fetch failed"; the reason (ECONNREFUSED, DNS, TLS…) is its cause.
        const cause = (error as { cause?: unknown }).cause ?? error;
        const tls = /certificate|TLS|SSL/i.test(errorText(cause));
        throw this.error(`${what} to ${url.host} failed: ${errorText(cause)}`, tls ? "config" : "unreachable", error);
      }

      if (response.status === 429 || response.status === 503) {
        const detail = await readDetail(response);
        const kind = response.status === 429 ? "rate_limited" : "unreachable";
        const status = statusLine(response);
        if (attempt >= MAX_RETRIES) {
          throw this.error(`${what} failed: ${status} after ${MAX_RETRIES} retries${detail ? `: ${detail}` : ""}`, kind);
        }
        const wait = retryAfterMs(response.headers.get("retry-after")) ?? 1000 * 2 ** attempt;
        if (wait > MAX_RETRY_WAIT_MS) {
          throw this.error(
            `${what} failed: ${status}, the server asks to wait ${Math.ceil(wait / 1000)} s${detail ? `: ${detail}` : ""}`,
            kind,
          );
        }
        await sleep(wait, this.signal);
        continue;
      }

      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        const location = response.headers.get("location");
        throw this.error(
          `${what} was redirected (${response.status})${location ? ` to ${shownText(location, 200)}` : ""}; set the base URL to where the SCIM service really is`,
          "config",
        );
      }

      if (response.status === 404 && missingOk) {
        await response.body?.cancel();
        return undefined;
      }
      if (!response.ok) {
        const detail = await readDetail(response);
        const status = statusLine(response);
        const message = `${what} failed: ${status}${detail ? `: ${detail}` : ""}`;
        if (response.status === 401 || response.status === 403) throw this.error(message, "auth");
        if (response.status === 404) throw this.error(`${message} — check the base URL`, "config");
        throw this.error(message, "protocol");
      }

      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        if (this.signal?.aborted) throw this.signal.reason;
        throw this.error(`${what} failed while reading the answer: ${errorText(error)}`, "unreachable", error);
      }
      try {
        return JSON.parse(text);
      } catch {
        const type = response.headers.get("content-type") ?? "no content type";
        // The body is not quoted: whatever answered there is not ours to echo (it may be another service's page).
        throw this.error(
          `${what} answered with something that is not JSON (${shownText(type, 100)}, ${text.length} characters)`,
          "protocol",
        );
      }
    }
  }

  private error(message: string, kind: ConnectorError["kind"], cause?: unknown): ConnectorError {
    return new ConnectorError(scrubSecrets(message, [this.config.bearerToken]), kind, { cause });
  }
}

/**
 * The SCIM error's `detail` (RFC 7644 §3.12), capped and stripped, or "" when
 * the body is not a SCIM error object: a body that is not the protocol's own
 * error is never quoted, since the URL may point at a service that is not SCIM
 * at all (an internal admin page, another app's secrets).
 */
async function readDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "";
  }
  if (typeof body !== "object" || body === null) return "";
  const { detail, scimType } = body as { detail?: unknown; scimType?: unknown };
  if (typeof detail !== "string" || !detail.trim()) return "";
  const type = typeof scimType === "string" && /^[A-Za-z]{1,40}$/.test(scimType) ? ` (${scimType})` : "";
  return `${shownText(detail)}${type}`;
}

/** "502 Bad Gateway": the reason phrase is the server's words, so it is kept short. */
function statusLine(response: Response): string {
  return `${response.status} ${shownText(response.statusText, 60)}`.trim();
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
