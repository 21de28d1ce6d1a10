/**
 * HTTP to one SCIM 2.0 service provider over global fetch: bearer auth,
 * timeouts, Retry-After, redirects refused, and failures turned into
 * ConnectorErrors whose text quotes only the protocol's own `detail`.
 */
import { ConnectorError, errorText, scrubSecrets, shownText } from "./types";
import type { ScimConfig } from "./scim";

export const ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_RETRIES = 4;
/** Longer waits than this fail the run as rate-limited instead of holding a worker. */
const MAX_RETRY_WAIT_MS = 120_000;

export type ListResponse = { totalResults?: number; Resources?: Record<string, unknown>[]; itemsPerPage?: number };
export type Endpoint = { path: "/Users" | "/Groups"; what: string };
export const USERS: Endpoint = { path: "/Users", what: "users" };
export const GROUPS: Endpoint = { path: "/Groups", what: "groups" };

/**
 * How a client waits and what its failures mean. A sync reads and may wait
 * out a rate limit; a write runs inside a task the engine retries with
 * backoff, so it waits only briefly and reports a server failure as
 * transient (`unreachable`) and a refusal by what it is.
 */
export type ScimClientPolicy = { retries: number; maxRetryWaitMs: number; writeErrors: boolean };
const READ_POLICY: ScimClientPolicy = { retries: MAX_RETRIES, maxRetryWaitMs: MAX_RETRY_WAIT_MS, writeErrors: false };

/** Requests against one service provider, with auth, timeouts, retries and readable errors. */
export class ScimClient {
  constructor(
    private readonly config: ScimConfig,
    private readonly signal: AbortSignal | undefined,
    private readonly policy: ScimClientPolicy = READ_POLICY,
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

  async get(path: string, query: Record<string, string>, { missingOk = false } = {}): Promise<unknown> {
    const answer = await this.send("GET", path, { query, accept: missingOk ? [404] : [] });
    return answer.status === 404 ? undefined : answer.body;
  }

  /**
   * One request with auth, timeout, Retry-After handling and readable errors.
   * Statuses in `accept` are returned instead of thrown (with the SCIM
   * error's detail), so a caller can treat 404 or 412 as an answer.
   */
  async send(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    {
      query = {},
      body,
      ifMatch,
      accept = [],
    }: { query?: Record<string, string>; body?: unknown; ifMatch?: string; accept?: number[] } = {},
  ): Promise<{ status: number; body: unknown; etag: string | null; detail?: string }> {
    const url = new URL(`${this.config.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const what = `SCIM ${method} ${path}`;
    const timeoutMs = this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const { retries, maxRetryWaitMs, writeErrors } = this.policy;

    for (let attempt = 0; ; attempt++) {
      this.signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            Authorization: `Bearer ${this.config.bearerToken}`,
            Accept: "application/scim+json, application/json",
            ...(body === undefined ? {} : { "Content-Type": "application/scim+json" }),
            ...(ifMatch ? { "If-Match": ifMatch } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
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
        const asked = retryAfterMs(response.headers.get("retry-after"));
        if (attempt >= retries) {
          throw this.error(`${what} failed: ${status} after ${retries} retries${detail ? `: ${detail}` : ""}`, kind, undefined, asked);
        }
        const wait = asked ?? 1000 * 2 ** attempt;
        if (wait > maxRetryWaitMs) {
          throw this.error(
            `${what} failed: ${status}, the server asks to wait ${Math.ceil(wait / 1000)} s${detail ? `: ${detail}` : ""}`,
            kind,
            undefined,
            wait,
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

      if (accept.includes(response.status)) {
        return { status: response.status, body: undefined, etag: response.headers.get("etag"), detail: await readDetail(response) };
      }
      if (!response.ok) {
        const detail = await readDetail(response);
        const status = statusLine(response);
        const message = `${what} failed: ${status}${detail ? `: ${detail}` : ""}`;
        if (response.status === 401 || response.status === 403) throw this.error(message, "auth");
        if (writeErrors) {
          if (response.status >= 500) throw this.error(message, "unreachable");
          if (response.status === 404) throw this.error(message, "not_found");
          if (response.status === 400) throw this.error(message, "bad_data");
          throw this.error(message, "rejected");
        }
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
      const etag = response.headers.get("etag");
      if (response.status === 204 || (text.trim() === "" && method !== "GET")) return { status: response.status, body: undefined, etag };
      try {
        return { status: response.status, body: JSON.parse(text), etag };
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

  private error(message: string, kind: ConnectorError["kind"], cause?: unknown, retryAfter?: number): ConnectorError {
    return new ConnectorError(scrubSecrets(message, [this.config.bearerToken]), kind, { cause, retryAfterMs: retryAfter });
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
