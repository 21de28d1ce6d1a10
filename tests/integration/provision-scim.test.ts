/** The SCIM connector's write side against a real SCIM 2.0 service provider (scimmy): every action, idempotence, If-Match, rate limits and server faults, and that the next sync sees each change under the same external id. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { scimConnector, type ScimConfig } from "@/lib/connectors/scim";
import { ConnectorError, type ProvisionOperation, type SourceRecord } from "@/lib/connectors/types";
import { ENTERPRISE, startScimServer, type RunningScimServer, type ScimResource } from "@/tests/helpers/scim-server";

const TOKEN = "scim-provision-token-91c2";
let server: RunningScimServer;
let staff: ScimResource;
const provisioner = scimConnector.provisioner!;

beforeAll(async () => {
  server = await startScimServer({ token: TOKEN });
  const anchor = server.addUser({ userName: "anchor@example.test", active: true });
  staff = server.addGroup({ displayName: "Staff", members: [{ value: anchor.id, type: "User" }] });
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  server.beforeWrite(undefined);
});

const config = (): ScimConfig => scimConnector.configSchema.parse({ baseUrl: server.baseUrl, bearerToken: TOKEN });

const op = (o: Partial<ProvisionOperation> & Pick<ProvisionOperation, "action">): ProvisionOperation => ({
  taskId: "00000000-0000-4000-8000-000000000000",
  objectType: o.action === "grant" || o.action === "revoke" ? "membership" : "account",
  account: { username: "jdoe@example.test" },
  settings: {},
  ...o,
});

/** What the next sync reads. */
async function sync() {
  const gen = scimConnector.extract(config(), { objectTypes: ["account", "group", "membership"], cursors: null });
  const records: SourceRecord[] = [];
  for (let next = await gen.next(); !next.done; next = await gen.next()) records.push(...next.value.records);
  return {
    account: (userName: string) => records.find((r) => r.objectType === "account" && r.attributes.userName === userName),
    memberships: records.filter((r) => r.objectType === "membership").map((r) => r.externalId),
  };
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

async function requestsDuring<T>(fn: () => Promise<T>): Promise<{ value: T; requests: string[] }> {
  const before = server.requests.length;
  const value = await fn();
  return { value, requests: server.requests.slice(before) };
}

let id: string;

describe("SCIM provisioning: accounts", () => {
  it("creates a user with its fields; the next sync finds it under the id apply returned", async () => {
    const { value: result, requests } = await requestsDuring(() =>
      provisioner.apply(
        config(),
        op({
          action: "create",
          attributes: {
            email: "jdoe@example.test",
            givenName: "Jane",
            familyName: "Doe",
            displayName: "Jane Doe",
            title: "Engineer",
            department: "R&D",
          },
        }),
      ),
    );
    expect(requests).toEqual([
      `GET /scim/v2/Users?filter=${encodeURIComponent('userName eq "jdoe@example.test"').replace(/%20/g, "+")}`,
      "POST /scim/v2/Users",
    ]);
    expect(result.alreadyApplied).toBe(false);
    expect(result.request).toMatchObject({
      method: "POST",
      url: `${server.baseUrl}/Users`,
      body: { userName: "jdoe@example.test", active: true },
    });
    expect(result.response.status).toBe(201);
    id = result.accountExternalId!;
    const account = (await sync()).account("jdoe@example.test")!;
    expect(account.externalId).toBe(id);
    expect(account.attributes).toMatchObject({
      displayName: "Jane Doe",
      title: "Engineer",
      active: true,
      name: { givenName: "Jane", familyName: "Doe" },
      emails: [{ value: "jdoe@example.test", type: "work", primary: true }],
      [ENTERPRISE]: { department: "R&D" },
    });
  });

  it("applying the same create again finds the user and posts nothing", async () => {
    const { value: again, requests } = await requestsDuring(() => provisioner.apply(config(), op({ action: "create" })));
    expect(again).toMatchObject({ alreadyApplied: true, accountExternalId: id });
    expect(requests.filter((r) => r.startsWith("POST"))).toEqual([]);
  });

  it("updates with PATCH replace/remove and If-Match; a repeat changes nothing", async () => {
    const version = server.user(id)!.meta.version;
    const change = op({
      action: "update",
      account: { username: "jdoe@example.test", externalId: id },
      attributes: { title: "Lead", department: null },
    });
    const result = await provisioner.apply(config(), change);
    expect(result.request).toEqual({
      method: "PATCH",
      url: `${server.baseUrl}/Users/${id}`,
      body: {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [
          { op: "replace", path: "title", value: "Lead" },
          { op: "remove", path: `${ENTERPRISE}:department` },
        ],
      },
    });
    expect(result.steps).toContain(`PATCH /Users/${id} (If-Match ${version}) → 200`);
    const account = (await sync()).account("jdoe@example.test")!;
    expect(account.externalId).toBe(id);
    expect(account.attributes.title).toBe("Lead");
    expect((account.attributes[ENTERPRISE] as { department?: string } | undefined)?.department).toBeUndefined();
    expect((await provisioner.apply(config(), change)).alreadyApplied).toBe(true);
  });

  it("a user changed by someone else between read and PATCH (412) is read again and patched once more", async () => {
    let interfere = true;
    server.beforeWrite((kind, target) => {
      if (kind !== "users" || target !== id || !interfere) return;
      interfere = false;
      const current = server.user(id)!;
      server.updateUser(id, { ...current, displayName: "Changed elsewhere" });
    });
    const { value: result, requests } = await requestsDuring(() =>
      provisioner.apply(
        config(),
        op({ action: "update", account: { username: "jdoe@example.test", externalId: id }, attributes: { title: "Principal" } }),
      ),
    );
    expect(requests.filter((r) => r.startsWith("PATCH"))).toHaveLength(2);
    expect(result.steps).toContain(`User ${id} changed on the target since it was read (412); reading it again`);
    expect(server.user(id)).toMatchObject({ title: "Principal", displayName: "Changed elsewhere" });
  });

  it("a user that keeps changing fails the update as rejected after one retry", async () => {
    let n = 0;
    server.beforeWrite((kind, target) => {
      if (kind === "users" && target === id) server.updateUser(id, { ...server.user(id)!, nickName: `n${n++}` });
    });
    const error = await failure(
      provisioner.apply(
        config(),
        op({ action: "update", account: { username: "jdoe@example.test", externalId: id }, attributes: { title: "Never" } }),
      ),
    );
    expect(error.kind).toBe("rejected");
    expect(error.message).toMatch(
      new RegExp(`^SCIM PATCH /Users/${id} failed: 412 Precondition Failed twice — the user keeps changing on the target: `),
    );
    expect(server.user(id)!.title).toBe("Principal");
  });

  it("a value the target refuses (a userName already taken) fails as rejected with the server's detail", async () => {
    const error = await failure(
      provisioner.apply(
        config(),
        op({
          action: "update",
          account: { username: "jdoe@example.test", externalId: id },
          attributes: { username: "anchor@example.test" },
        }),
      ),
    );
    expect(error.kind).toBe("rejected");
    expect(error.message).toBe(
      `SCIM PATCH /Users/${id} failed: 409 Conflict: userName anchor@example.test is already taken by another user (uniqueness)`,
    );
  });

  it("disables and enables through active; repeats are already applied", async () => {
    const disable = op({ action: "disable", account: { username: "jdoe@example.test", externalId: id } });
    const result = await provisioner.apply(config(), disable);
    expect(result.request.body).toMatchObject({ Operations: [{ op: "replace", path: "active", value: false }] });
    expect((await sync()).account("jdoe@example.test")).toMatchObject({ externalId: id, attributes: { active: false } });
    expect((await provisioner.apply(config(), disable)).alreadyApplied).toBe(true);
    await provisioner.apply(config(), op({ action: "enable", account: { username: "jdoe@example.test", externalId: id } }));
    expect((await sync()).account("jdoe@example.test")!.attributes.active).toBe(true);
  });

  it("update of a user that is not there is not_found", async () => {
    const error = await failure(
      provisioner.apply(config(), op({ action: "update", account: { username: "nobody@example.test" }, attributes: { title: "x" } })),
    );
    expect(error.kind).toBe("not_found");
    expect(error.message).toBe("No SCIM user nobody@example.test on the target");
  });

  it("deletes; deleting again is already applied", async () => {
    const created = await provisioner.apply(config(), op({ action: "create", account: { username: "leaver@example.test" } }));
    const del = op({ action: "delete", account: { username: "leaver@example.test", externalId: created.accountExternalId } });
    const result = await provisioner.apply(config(), del);
    expect(result).toMatchObject({
      alreadyApplied: false,
      request: { method: "DELETE", url: `${server.baseUrl}/Users/${created.accountExternalId}` },
      response: { status: 204 },
    });
    expect((await sync()).account("leaver@example.test")).toBeUndefined();
    expect((await provisioner.apply(config(), del)).alreadyApplied).toBe(true);
  });
});

describe("SCIM provisioning: memberships", () => {
  it("grant adds to members and revoke removes by filter path; repeats are already applied; the sync agrees", async () => {
    const grant = op({
      action: "grant",
      account: { username: "jdoe@example.test", externalId: id },
      group: { externalId: staff.id, name: "Staff" },
    });
    const granted = await provisioner.apply(config(), grant);
    expect(granted.request.body).toMatchObject({ Operations: [{ op: "add", path: "members", value: [{ value: id }] }] });
    expect((await sync()).memberships).toContain(`${staff.id}|${id}`);
    expect((await provisioner.apply(config(), grant)).alreadyApplied).toBe(true);

    const revoke = { ...grant, action: "revoke" as const };
    const revoked = await provisioner.apply(config(), revoke);
    expect(revoked.request.body).toMatchObject({ Operations: [{ op: "remove", path: `members[value eq "${id}"]` }] });
    const after = await sync();
    expect(after.memberships).not.toContain(`${staff.id}|${id}`);
    expect(after.memberships).toHaveLength(1);
    expect((await provisioner.apply(config(), revoke)).alreadyApplied).toBe(true);
  });

  it("create binds groups and update unbinds them, reporting the bindings", async () => {
    const created = await provisioner.apply(
      config(),
      op({ action: "create", account: { username: "binder@example.test" }, bindGroups: [staff.id] }),
    );
    expect(created.bindings).toEqual({ bound: [{ externalId: staff.id, name: "Staff" }], unbound: [] });
    expect((await sync()).memberships).toContain(`${staff.id}|${created.accountExternalId}`);
    const updated = await provisioner.apply(
      config(),
      op({
        action: "update",
        account: { username: "binder@example.test", externalId: created.accountExternalId },
        unbindGroups: [staff.id],
      }),
    );
    expect(updated.bindings).toEqual({ bound: [], unbound: [{ externalId: staff.id, name: "Staff" }] });
    expect((await sync()).memberships).not.toContain(`${staff.id}|${created.accountExternalId}`);
  });

  it("a group that does not exist is not_found, naming it", async () => {
    const error = await failure(
      provisioner.apply(
        config(),
        op({
          action: "grant",
          account: { username: "jdoe@example.test", externalId: id },
          group: { externalId: "no-such-group", name: "Ghosts" },
        }),
      ),
    );
    expect(error.kind).toBe("not_found");
    expect(error.message).toBe("Group Ghosts (no-such-group) does not exist on the SCIM service");
  });
});

describe("SCIM provisioning: faults", () => {
  const create = () => provisioner.apply(config(), op({ action: "create", account: { username: "faulty@example.test" } }));

  it("a long Retry-After goes back to the engine as rate_limited with the delay, without waiting", async () => {
    server.rateLimitNext("120", 1);
    const started = Date.now();
    const error = await failure(create());
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterMs).toBe(120_000);
    expect(error.message).toMatch(
      /^SCIM GET \/Users failed: 429 Too Many Requests, the server asks to wait 120 s: Too many requests, slow down/,
    );
  });

  it("a short Retry-After is waited out once inside apply", async () => {
    server.rateLimitNext("1", 1);
    const result = await create();
    expect(result.alreadyApplied).toBe(false);
    await provisioner.apply(config(), op({ action: "delete", account: { username: "faulty@example.test" } }));
  });

  it("still limited after the bounded retry: rate_limited with the server's delay", async () => {
    server.rateLimitNext("1", 5);
    const error = await failure(create());
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: 1_000 });
    server.rateLimitNext("0", 0);
  });

  it("a 500 is unreachable (the engine retries) with the server's detail", async () => {
    server.failNext("500");
    const error = await failure(create());
    expect(error.kind).toBe("unreachable");
    expect(error.message).toBe("SCIM GET /Users failed: 500 Internal Server Error: Database connection lost");
  });

  it("an answer that is not JSON is a protocol error that does not quote it", async () => {
    server.failNext("garbage");
    const error = await failure(create());
    expect(error.kind).toBe("protocol");
    expect(error.message).toBe("SCIM GET /Users answered with something that is not JSON (text/html; charset=utf-8, 37 characters)");
  });

  it("never puts the bearer token in the request, response or steps", async () => {
    const result = await provisioner.apply(
      config(),
      op({ action: "update", account: { username: "jdoe@example.test", externalId: id }, attributes: { title: TOKEN } }),
    );
    expect(server.user(id)!.title).toBe(TOKEN);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).toContain("********");
  });
});
