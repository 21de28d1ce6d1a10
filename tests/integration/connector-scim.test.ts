/** The SCIM connector against a real SCIM 2.0 service provider (scimmy over express): paging, enterprise fields, memberships, delta, 429, auth. */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMapping } from "@/lib/connectors/canonical";
import { mergeSecrets, redactSecrets } from "@/lib/connectors/registry";
import { retryAfterMs, scimConnector, type ScimConfig } from "@/lib/connectors/scim";
import { ConnectorError, type ExtractOptions, type ExtractPage, type ExtractResult, type SourceRecord } from "@/lib/connectors/types";
import { ENTERPRISE, startScimServer, type RunningScimServer, type ScimResource } from "@/tests/helpers/scim-server";

const TOKEN = "scim-test-token-7f3a";
const USERS = 23;

let server: RunningScimServer;
let users: ScimResource[];
let groups: ScimResource[];

beforeAll(async () => {
  server = await startScimServer({ token: TOKEN });
  users = Array.from({ length: USERS }, (_, i) =>
    server.addUser({
      userName: `user${i}@example.test`,
      displayName: `User ${i}`,
      name: { givenName: `Given${i}`, familyName: `Family${i}` },
      emails: [
        { value: `private${i}@mail.test`, type: "home" },
        { value: `user${i}@example.test`, type: "work", primary: true },
      ],
      active: i % 5 !== 0,
      title: `Title ${i}`,
      ...(i > 0
        ? { [ENTERPRISE]: { department: `Dept ${i % 3}`, employeeNumber: `E${1000 + i}`, manager: { value: "placeholder" } } }
        : {}),
    }),
  );
  // Managers point at real ids, as a provider would store them.
  for (const [i, user] of users.entries()) {
    if (i > 0)
      users[i] = server.updateUser(user.id, {
        ...user,
        [ENTERPRISE]: { ...(user[ENTERPRISE] as object), manager: { value: users[0].id } },
      });
  }
  const admins = server.addGroup({ displayName: "Admins", members: [users[0], users[1]].map((u) => ({ value: u.id, type: "User" })) });
  const staff = server.addGroup({ displayName: "Staff", members: users.slice(2, 12).map((u) => ({ value: u.id, type: "User" })) });
  const everyone = server.addGroup({
    displayName: "Everyone",
    members: [
      { value: admins.id, type: "Group" },
      { value: staff.id, type: "Group" },
      { value: users[20].id, type: "User" },
    ],
  });
  groups = [admins, staff, everyone];
});

afterAll(async () => {
  await server?.stop();
});

const config = (overrides: Partial<ScimConfig> = {}): ScimConfig =>
  scimConnector.configSchema.parse({ baseUrl: server.baseUrl, bearerToken: TOKEN, ...overrides });

async function extractAll(cfg: ScimConfig, opts: Partial<ExtractOptions> = {}) {
  const gen = scimConnector.extract(cfg, { objectTypes: scimConnector.capabilities.objectTypes, cursors: null, ...opts });
  const pages: ExtractPage[] = [];
  let next = await gen.next();
  while (!next.done) {
    pages.push(next.value);
    next = await gen.next();
  }
  const of = (type: string) => pages.filter((p) => p.objectType === type);
  return {
    pages,
    result: next.value as ExtractResult,
    accounts: of("account").flatMap((p) => p.records),
    groups: of("group").flatMap((p) => p.records),
    memberships: of("membership").flatMap((p) => p.records),
  };
}

const lastModified = (r: SourceRecord) => (r.attributes.meta as { lastModified: string }).lastModified;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Requests made while `fn` runs. */
async function requestsDuring<T>(fn: () => Promise<T>): Promise<{ value: T; requests: string[] }> {
  const before = server.requests.length;
  const value = await fn();
  return { value, requests: server.requests.slice(before) };
}

describe("SCIM connector: test()", () => {
  it("reports the numbers of users and groups and whether delta is available", async () => {
    expect(await scimConnector.test(config())).toEqual({
      summary: `Connected to ${server.baseUrl}: ${USERS} users, 3 groups; delta sync by meta.lastModified available`,
      counts: { account: USERS, group: 3 },
    });
  });

  it("fails with kind auth and the server's detail on a wrong token, never echoing it", async () => {
    const error = await scimConnector.test(config({ bearerToken: "wrong-token-4242" })).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe("auth");
    expect(error.message).toBe(
      "SCIM GET /ServiceProviderConfig failed: 401 Unauthorized: The bearer token is not valid for this service provider",
    );
    expect(error.message).not.toContain("wrong-token-4242");
  });

  it("fails with kind unreachable when nothing listens on the port", async () => {
    const port = await closedPort();
    const error = await scimConnector.test(config({ baseUrl: `http://127.0.0.1:${port}/scim/v2` })).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe("unreachable");
    expect(error.message).toBe(`SCIM GET /ServiceProviderConfig to 127.0.0.1:${port} failed: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it("fails with kind config when the base URL is not a SCIM endpoint", async () => {
    const error = await scimConnector.test(config({ baseUrl: server.baseUrl.replace("/scim/v2", "/scim/v9") })).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe("config");
    // express answers an unknown path with an HTML page: not a SCIM error, so none of it is shown.
    expect(error.message).toBe("SCIM GET /Users failed: 404 Not Found — check the base URL");
  });

  it("never quotes a body that is not a SCIM error, and caps and strips a SCIM error's detail", async () => {
    const answers: Record<string, { status: number; type: string; body: string }> = {
      "/html/Users": { status: 500, type: "text/html", body: "<html><body>db password: hunter2-internal</body></html>" },
      "/text/Users": { status: 403, type: "text/plain", body: "internal token abc123-internal" },
      "/json/Users": { status: 400, type: "application/json", body: JSON.stringify({ error: "internal-only value 42-internal" }) },
      "/ok/Users": { status: 200, type: "text/plain", body: "root:x:0:0:root-internal:/root:/bin/bash" },
      "/scim/Users": {
        status: 400,
        type: "application/scim+json",
        body: JSON.stringify({
          schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
          scimType: "invalidFilter",
          detail: `Bad\u202e filter\n${"x".repeat(5000)}`,
        }),
      },
    };
    const http = await import("node:http");
    const fake = http.createServer((req, res) => {
      const answer = answers[new URL(req.url!, "http://x").pathname] ?? { status: 404, type: "text/plain", body: "" };
      res.writeHead(answer.status, { "content-type": answer.type }).end(answer.body);
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(fake.address() as net.AddressInfo).port}`;
    try {
      const messageFor = async (prefix: string) =>
        ((await scimConnector.test(config({ baseUrl: `${base}/${prefix}` })).catch((e) => e)) as Error).message;
      expect(await messageFor("html")).toBe("SCIM GET /Users failed: 500 Internal Server Error");
      expect(await messageFor("text")).toBe("SCIM GET /Users failed: 403 Forbidden");
      expect(await messageFor("json")).toBe("SCIM GET /Users failed: 400 Bad Request");
      const ok = await messageFor("ok");
      expect(ok).toMatch(/^SCIM GET \/Users answered with something that is not JSON \(text\/plain/);
      expect(ok).not.toContain("root");
      const scim = await messageFor("scim");
      expect(scim).toMatch(/^SCIM GET \/Users failed: 400 Bad Request: Bad filter x+…? \(invalidFilter\)$/);
      expect(scim).not.toMatch(/[\u202e\n]/);
      expect(scim.length).toBeLessThan(400);
    } finally {
      await new Promise((r) => fake.close(r));
    }
  });

  it("refuses a plain-http URL unless it is this machine", () => {
    const parsed = scimConnector.configSchema.safeParse({ baseUrl: "http://scim.example.com/v2", bearerToken: "t" });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].message).toBe("Use https:// (plain http is only allowed for localhost)");
    expect(scimConnector.configSchema.parse({ baseUrl: "https://scim.example.com/v2/", bearerToken: "t" }).baseUrl).toBe(
      "https://scim.example.com/v2",
    );
  });
});

describe("SCIM connector: extract", () => {
  it("pages through /Users with startIndex and count until totalResults", async () => {
    const { value, requests } = await requestsDuring(() => extractAll(config({ pageSize: 5 }), { objectTypes: ["account"] }));
    const pages = value.pages;
    expect(pages.map((p) => p.records.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.every((p) => p.total === USERS)).toBe(true);
    expect(requests).toEqual([1, 6, 11, 16, 21].map((start) => `GET /scim/v2/Users?startIndex=${start}&count=5`));
    expect(value.accounts.map((a) => a.externalId)).toEqual(users.map((u) => u.id));
  });

  it("keeps the enterprise extension, and the default mapping turns it into canonical fields", async () => {
    const { accounts } = await extractAll(config(), { objectTypes: ["account"] });
    const user7 = accounts.find((a) => a.externalId === users[7].id)!;
    expect(user7.attributes[ENTERPRISE]).toEqual({ department: "Dept 1", employeeNumber: "E1007", manager: { value: users[0].id } });
    expect(applyMapping(user7, scimConnector.defaultMapping.account!)).toEqual({
      externalId: users[7].id,
      fields: {
        externalId: users[7].id,
        username: "user7@example.test",
        email: "user7@example.test", // the primary one, not the first
        displayName: "User 7",
        givenName: "Given7",
        familyName: "Family7",
        status: "active",
        title: "Title 7",
        department: "Dept 1",
        managerExternalId: users[0].id,
      },
      raw: user7.attributes,
    });
    const user5 = accounts.find((a) => a.externalId === users[5].id)!;
    expect(applyMapping(user5, scimConnector.defaultMapping.account!).fields.status).toBe("disabled");
    // An operator can map another extension attribute, e.g. the employee number as the identity.
    expect(applyMapping(user7, { [`${ENTERPRISE}:employeeNumber`]: "externalId" }).externalId).toBe("E1007");
  });

  it("turns group members (users and nested groups) into memberships", async () => {
    const { groups: extracted, memberships, result } = await extractAll(config({ pageSize: 2 }), { objectTypes: ["group", "membership"] });
    expect(extracted.map((g) => g.attributes.displayName)).toEqual(["Admins", "Staff", "Everyone"]);
    expect(extracted[0].attributes).not.toHaveProperty("members");
    const [admins, staff, everyone] = groups;
    const membersOf = (id: string) =>
      memberships.filter((m) => m.attributes.groupExternalId === id).map((m) => m.attributes.memberExternalId);
    expect(membersOf(admins.id)).toEqual([users[0].id, users[1].id]);
    expect(membersOf(staff.id)).toEqual(users.slice(2, 12).map((u) => u.id));
    expect(membersOf(everyone.id)).toEqual([admins.id, staff.id, users[20].id]);
    expect(memberships[0]).toEqual({
      objectType: "membership",
      externalId: `${admins.id}|${users[0].id}`,
      attributes: { groupExternalId: admins.id, memberExternalId: users[0].id },
    });
    expect(result).toEqual({ mode: "full", cursors: { group: lastModified(extracted[2]), membership: lastModified(extracted[2]) } });
  });

  it("with the cursors of the last run, asks only for what changed since by meta.lastModified", async () => {
    const full = await extractAll(config());
    const { cursors } = full.result;
    expect(cursors.account).toBe([...full.accounts].map(lastModified).sort().at(-1));

    await sleep(5);
    server.updateUser(users[9].id, { ...users[9], title: "Promoted" });
    const put = await fetch(`${server.baseUrl}/Groups/${groups[0].id}`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/scim+json" },
      body: JSON.stringify({ displayName: "Admins", members: [users[0], users[1], users[22]].map((u) => ({ value: u.id })) }),
    });
    expect(put.status).toBe(200);

    const { value: delta, requests } = await requestsDuring(() => extractAll(config(), { cursors }));
    expect(delta.result.mode).toBe("delta");
    expect(requests).toContain(
      `GET /scim/v2/Users?startIndex=1&count=100&filter=${encodeURIComponent(`meta.lastModified ge "${cursors.account}"`).replace(/%20/g, "+")}`,
    );
    // What changed, plus whatever shares the cursor's instant ("ge": a same-instant change is never lost).
    const atCursor = (records: SourceRecord[], cursor: string) =>
      records.filter((r) => lastModified(r) === cursor).map((r) => r.externalId);
    expect(delta.accounts.map((a) => a.externalId).sort()).toEqual(
      [...new Set([users[9].id, ...atCursor(full.accounts, cursors.account!)])].sort(),
    );
    expect(delta.accounts.find((a) => a.externalId === users[9].id)!.attributes.title).toBe("Promoted");
    expect(delta.groups.map((g) => g.externalId).sort()).toEqual(
      [...new Set([groups[0].id, ...atCursor(full.groups, cursors.group!)])].sort(),
    );
    // A changed group brings its complete member list.
    expect(
      delta.memberships.filter((m) => m.attributes.groupExternalId === groups[0].id).map((m) => m.attributes.memberExternalId),
    ).toEqual([users[0].id, users[1].id, users[22].id]);
    expect(Date.parse(delta.result.cursors.account!)).toBeGreaterThan(Date.parse(cursors.account!));
  });

  it("waits as long as Retry-After says on 429 and then goes on", async () => {
    server.rateLimitNext("1");
    const started = Date.now();
    const { value, requests } = await requestsDuring(() => extractAll(config(), { objectTypes: ["account"] }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(requests).toEqual(["GET /scim/v2/Users?startIndex=1&count=100", "GET /scim/v2/Users?startIndex=1&count=100"]);
    expect(value.accounts).toHaveLength(USERS);
  });

  it("gives up with kind rate_limited after bounded retries, with the server's detail", async () => {
    server.rateLimitNext("0", 10);
    const { value: error, requests } = await requestsDuring(() => extractAll(config(), { objectTypes: ["account"] }).catch((e) => e));
    server.rateLimitNext("0", 0);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe("rate_limited");
    expect(error.message).toBe("SCIM GET /Users failed: 429 Too Many Requests after 4 retries: Too many requests, slow down");
    expect(requests).toHaveLength(5);
  });

  it("does not hold a worker for an hour when Retry-After asks for one", async () => {
    server.rateLimitNext("3600");
    const error = await extractAll(config(), { objectTypes: ["account"] }).catch((e) => e);
    expect(error.kind).toBe("rate_limited");
    expect(error.message).toBe(
      "SCIM GET /Users failed: 429 Too Many Requests, the server asks to wait 3600 s: Too many requests, slow down",
    );
  });

  it("can be cancelled while it waits for Retry-After", async () => {
    server.rateLimitNext("30");
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled by the operator")), 100);
    const started = Date.now();
    await expect(extractAll(config(), { objectTypes: ["account"], signal: controller.signal })).rejects.toThrow(
      "cancelled by the operator",
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs("7", now)).toBe(7_000);
    expect(retryAfterMs("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Tue, 31 Dec 2024 23:59:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
  });
});

describe("SCIM connector: secrets in settings", () => {
  it("shows the token as a mask and keeps the stored one when the mask comes back", () => {
    const stored = { baseUrl: "https://scim.example.com/v2", bearerToken: TOKEN };
    expect(redactSecrets("scim", stored)).toEqual({ baseUrl: "https://scim.example.com/v2", bearerToken: "********" });
    expect(mergeSecrets("scim", { baseUrl: "https://new.example.com/v2", bearerToken: "********" }, stored)).toEqual({
      baseUrl: "https://new.example.com/v2",
      bearerToken: TOKEN,
    });
    expect(mergeSecrets("scim", { baseUrl: "https://new.example.com/v2" }, stored).bearerToken).toBe(TOKEN);
    expect(mergeSecrets("scim", { baseUrl: "https://new.example.com/v2", bearerToken: "rotated" }, stored).bearerToken).toBe("rotated");
  });
});

// Last: SCIMMY's service provider config is process-wide.
describe("SCIM connector: a provider without filtering", () => {
  let plain: RunningScimServer;
  beforeAll(async () => {
    await server.stop();
    plain = await startScimServer({ token: TOKEN, filterSupported: false });
    plain.addUser({ userName: "only@example.test" });
  });
  afterAll(() => plain?.stop());

  it("falls back to a full read, and says so", async () => {
    const gen = scimConnector.extract(config({ baseUrl: plain.baseUrl }), {
      objectTypes: ["account"],
      cursors: { account: "2020-01-01T00:00:00.000Z" },
    });
    const records: SourceRecord[] = [];
    let next = await gen.next();
    while (!next.done) {
      records.push(...next.value.records);
      next = await gen.next();
    }
    expect(next.value.mode).toBe("full");
    expect(records).toHaveLength(1);
    expect(plain.requests.some((r) => r.includes("filter="))).toBe(false);
    expect((await scimConnector.test(config({ baseUrl: plain.baseUrl }))).summary).toContain("no filtering, every sync is full");
  });
});

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
