/**
 * A real SCIM 2.0 service provider for integration tests: scimmy (protocol:
 * list responses, paging, filters, schemas) and scimmy-routers (the HTTP
 * endpoints) on express, over an in-memory store, with bearer-token auth, on
 * 127.0.0.1 and a free port.
 *
 * SCIMMY keeps its resource declarations in one process-wide registry, so
 * the handlers are declared once and each server's store reaches them through
 * the request context.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseQuery } from "node:querystring";
import { randomUUID } from "node:crypto";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

export type ScimResource = Record<string, unknown> & { id: string; meta: { created: string; lastModified: string; version: string } };

class ScimStore {
  readonly users = new Map<string, ScimResource>();
  readonly groups = new Map<string, ScimResource>();
  /** Lower-cased userName -> id, for the uniqueness check. */
  readonly userNames = new Map<string, string>();
  private revision = 0;

  /**
   * Creates or replaces; the server assigns id and meta (with a weak ETag
   * version that changes on every write) as a real provider does, and keeps
   * userName unique as RFC 7643 requires.
   */
  put(kind: "users" | "groups", data: Record<string, unknown>, id?: string): ScimResource {
    const map = this[kind];
    const existing = id ? map.get(id) : undefined;
    if (id && !existing) throw new Error(`No ${kind} resource ${id}`);
    const name = kind === "users" && typeof data.userName === "string" ? data.userName.toLowerCase() : undefined;
    const holder = name === undefined ? undefined : this.userNames.get(name);
    if (holder !== undefined && holder !== id) {
      throw new SCIMMY.Types.Error(409, "uniqueness", `userName ${data.userName} is already taken by another user`);
    }
    const now = new Date().toISOString();
    const resource = {
      ...data,
      id: existing?.id ?? randomUUID(),
      meta: { created: existing?.meta.created ?? now, lastModified: now, version: `W/"${++this.revision}"` },
    } as ScimResource;
    map.set(resource.id, resource);
    if (kind === "users") {
      const previous = typeof existing?.userName === "string" ? existing.userName.toLowerCase() : undefined;
      if (previous !== undefined && previous !== name) this.userNames.delete(previous);
      if (name !== undefined) this.userNames.set(name, resource.id);
    }
    return resource;
  }
}

type Context = { store: ScimStore };

/** The stored fields SCIMMY hands over on write, without the ones the server owns. */
function stripServerFields(instance: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, meta: _meta, schemas: _schemas, ...rest } = JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
  return rest;
}

/**
 * Handlers for one resource type; SCIMMY turns a thrown plain Error into 404
 * "Resource … not found". The store holds plain JSON that SCIMMY coerces to
 * its schema on the way out, hence the `never` casts to its typings.
 */
function handlers(kind: "users" | "groups") {
  return {
    ingress: (resource: { id?: string }, instance: object, ctx: Context) =>
      ctx.store.put(kind, stripServerFields(instance as Record<string, unknown>), resource.id) as never,
    egress: (resource: { id?: string; filter?: { match(values: object[]): object[] } }, ctx: Context) => {
      if (resource.id) {
        const found = ctx.store[kind].get(resource.id);
        if (!found) throw new Error(`No ${kind} resource ${resource.id}`);
        return found as never;
      }
      const all = [...ctx.store[kind].values()];
      return (resource.filter ? resource.filter.match(all) : all) as never[];
    },
    degress: (resource: { id?: string }, ctx: Context) => {
      const found = resource.id ? ctx.store[kind].get(resource.id) : undefined;
      if (!found) throw new Error(`No ${kind} resource ${resource.id}`);
      ctx.store[kind].delete(found.id);
      if (kind === "users" && typeof found.userName === "string") ctx.store.userNames.delete(found.userName.toLowerCase());
    },
  };
}

function declareOnce() {
  if (SCIMMY.Resources.declared("User")) return;
  const users = handlers("users");
  const groups = handlers("groups");
  SCIMMY.Resources.declare(SCIMMY.Resources.User).ingress(users.ingress).egress(users.egress).degress(users.degress);
  SCIMMY.Resources.declare(SCIMMY.Resources.Group).ingress(groups.ingress).egress(groups.egress).degress(groups.degress);
  SCIMMY.Resources.declared("User").extend(SCIMMY.Schemas.EnterpriseUser, false);
}

export interface RunningScimServer {
  baseUrl: string;
  token: string;
  /** Adds a user directly to the store (what a provisioning system would have done). */
  addUser(user: Record<string, unknown>): ScimResource;
  addGroup(group: Record<string, unknown>): ScimResource;
  /** Replaces a user's attributes, bumping meta.lastModified. */
  updateUser(id: string, user: Record<string, unknown>): ScimResource;
  /** The next `times` requests are answered 429 with this Retry-After header (seconds or an HTTP date). */
  rateLimitNext(retryAfter: string, times?: number): void;
  /** Every answer from now on waits this long first, as a slow provider's would (0: answer at once). */
  setDelay(ms: number): void;
  /** The next `times` requests are answered with a 500 SCIM error, or with a 200 whose body is not JSON. */
  failNext(fault: "500" | "garbage", times?: number): void;
  /** Runs before each PUT/PATCH/DELETE is checked against If-Match: a concurrent writer (undefined: none). */
  beforeWrite(hook: ((kind: "users" | "groups", id: string) => void) | undefined): void;
  user(id: string): ScimResource | undefined;
  group(id: string): ScimResource | undefined;
  /** Method and URL of every request received, in order. */
  requests: string[];
  stop(): Promise<void>;
}

/**
 * `filterSupported: false` makes /ServiceProviderConfig say filtering is not
 * supported. SCIMMY's config is process-wide, so it holds until the next
 * server starts; the tests start servers one at a time.
 */
export async function startScimServer({
  token,
  filterSupported = true,
  delayMs = 0,
}: {
  token: string;
  filterSupported?: boolean;
  delayMs?: number;
}): Promise<RunningScimServer> {
  declareOnce();
  const store = new ScimStore();
  const requests: string[] = [];
  let throttle: { retryAfter: string; remaining: number } | undefined;
  let fault: { kind: "500" | "garbage"; remaining: number } | undefined;
  let writeHook: ((kind: "users" | "groups", id: string) => void) | undefined;
  let delay = delayMs;
  const scimError = (status: number, detail: string) => ({
    schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
    status: String(status),
    detail,
  });

  const app = express();
  // scimmy-routers casts startIndex/count to numbers by assigning to req.query,
  // which Express 5 recomputes on every read; parse them as numbers up front.
  app.set("query parser", (qs: string) => {
    const query = parseQuery(qs) as Record<string, unknown>;
    for (const key of ["startIndex", "count"]) {
      if (typeof query[key] === "string" && /^\d+$/.test(query[key])) query[key] = Number(query[key]);
    }
    return query;
  });
  app.use((req, res, next) => {
    requests.push(`${req.method} ${req.originalUrl}`);
    if (throttle && throttle.remaining > 0) {
      throttle.remaining--;
      res
        .status(429)
        .set("Retry-After", throttle.retryAfter)
        .type("application/scim+json")
        .send({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429", detail: "Too many requests, slow down" });
      return;
    }
    if (fault && fault.remaining > 0) {
      fault.remaining--;
      if (fault.kind === "500") res.status(500).type("application/scim+json").send(scimError(500, "Database connection lost"));
      else res.status(200).type("text/html").send("<html><body>Maintenance</body></html>");
      return;
    }
    next();
  });
  app.use((_req, _res, next) => {
    if (delay > 0) setTimeout(next, delay);
    else next();
  });
  // Versioned writes (RFC 7644 §3.14): every resource answer carries its ETag,
  // and a write whose If-Match no longer names the current version is refused.
  app.use((req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const version = (body as { meta?: { version?: unknown } } | undefined)?.meta?.version;
      if (typeof version === "string") res.set("ETag", version);
      return json(body);
    };
    const target = /^\/scim\/v2\/(Users|Groups)\/([^/?]+)/.exec(req.path);
    if (target && ["PUT", "PATCH", "DELETE"].includes(req.method)) {
      const kind = target[1] === "Users" ? "users" : "groups";
      const id = decodeURIComponent(target[2]);
      writeHook?.(kind, id);
      const ifMatch = req.header("If-Match");
      const current = store[kind].get(id);
      if (ifMatch && current && ifMatch !== "*" && !ifMatch.split(",").some((v) => v.trim() === current.meta.version)) {
        res
          .status(412)
          .type("application/scim+json")
          .send(scimError(412, `${id} has changed since version ${ifMatch}; it is now ${current.meta.version}`));
        return;
      }
    }
    next();
  });
  app.use(
    "/scim/v2",
    new SCIMMYRouters({
      type: "bearer",
      handler: (req) => {
        if (req.header("Authorization") !== `Bearer ${token}`) throw new Error("The bearer token is not valid for this service provider");
        return "test-client";
      },
      context: (): Context => ({ store }),
    }),
  );
  // The router constructor above declares filtering supported; override after it.
  SCIMMY.Config.set({ filter: filterSupported });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/scim/v2`,
    token,
    requests,
    addUser: (user) => store.put("users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], ...user }),
    addGroup: (group) => store.put("groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], ...group }),
    updateUser: (id, user) => store.put("users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], ...user }, id),
    rateLimitNext(retryAfter, times = 1) {
      throttle = { retryAfter, remaining: times };
    },
    setDelay(ms) {
      delay = ms;
    },
    failNext(kind, times = 1) {
      fault = { kind, remaining: times };
    },
    beforeWrite(hook) {
      writeHook = hook;
    },
    user: (id) => store.users.get(id),
    group: (id) => store.groups.get(id),
    async stop() {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
