/**
 * Security cases for integrations (issue 10): stored connector secrets only
 * go where they were saved for, API keys need syncs:run to start a sync, and
 * a save that changes nothing starts nothing.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { getDb, getSql } from "@/db/client";
import { GET as auditEventsRoute } from "@/app/api/v1/audit-events/route";
import { errorResponse } from "@/lib/api/handler";
import { runAction } from "@/lib/actions";
import { serializeError } from "@/lib/log";
import { PATCH as patchRoute } from "@/app/api/v1/integrations/[id]/route";
import { POST as createRoute } from "@/app/api/v1/integrations/route";
import { createIntegration, testConnection, updateIntegration } from "@/lib/integrations/service";
import { makeApiKeyCtx, makeTenant, type TestTenant } from "../helpers/factories";
import { startSlapd, type RunningSlapd } from "../helpers/slapd";

let slapd: RunningSlapd;
let t: TestTenant;

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  slapd = await startSlapd();
  t = await makeTenant();
});

afterAll(async () => {
  await slapd?.stop();
});

function ldapConfig(overrides: Record<string, unknown> = {}) {
  return { url: slapd.url, bindDn: slapd.bindDn, bindPassword: slapd.bindPassword, baseDn: slapd.baseDn, ...overrides };
}

/** A TCP listener that records whether anything connected (a stand-in for another host). */
async function listener() {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `ldap://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => connections,
    close: () => new Promise((r) => server.close(r)),
  };
}

function apiRequest(method: string, secret: string, body: unknown) {
  return new Request("http://localhost/api/v1/integrations", {
    method,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}
const params = (id: string) => ({ params: Promise.resolve({ id }) });
const noParams = { params: Promise.resolve({}) };

async function storedSecretsOf(id: string) {
  const [row] = await getSql()`select secrets, config from integrations where id = ${id}`;
  return row as { secrets: unknown; config: Record<string, unknown> };
}

describe("stored connector secrets are only sent to the address they were saved for", () => {
  it("an edit that changes the URL must type the bind password again, in the service and the API", async () => {
    const { integration } = await createIntegration(t.ctx("admin"), { name: "Secret LDAP", connector: "ldap", config: ldapConfig() });
    const before = await storedSecretsOf(integration.id);
    const other = await listener();
    try {
      for (const bindPassword of ["********", "", undefined]) {
        const moved = ldapConfig({ url: other.url, bindPassword });
        await expect(updateIntegration(t.ctx("admin"), integration.id, { config: moved })).rejects.toMatchObject({
          code: "unprocessable:validation",
          fieldErrors: { "config.bindPassword": [expect.stringMatching(/^Type it again: the address changed/)] },
        });
      }
      // Scheme and port count as the address too.
      await expect(
        updateIntegration(t.ctx("admin"), integration.id, {
          config: ldapConfig({ url: slapd.url.replace("ldap://", "ldaps://"), bindPassword: "********" }),
        }),
      ).rejects.toMatchObject({ fieldErrors: { "config.bindPassword": [expect.any(String)] } });

      const { secret } = await makeApiKeyCtx(t, ["integrations:write", "syncs:run"]);
      const res = await patchRoute(
        apiRequest("PATCH", secret, { config: ldapConfig({ url: other.url, bindPassword: "********" }) }),
        params(integration.id),
      );
      expect(res.status).toBe(422);
      expect((await res.json()).error.fieldErrors["config.bindPassword"][0]).toMatch(/Type it again/);
      expect(await storedSecretsOf(integration.id)).toEqual(before);
      expect(other.connections()).toBe(0);

      // The same address written another way (a trailing slash, the default port spelled out) is not a move.
      const same = await updateIntegration(t.ctx("admin"), integration.id, {
        config: ldapConfig({ url: `${slapd.url}/`, bindPassword: "********" }),
      });
      expect(same.integration.config.url).toBe(`${slapd.url}/`);
      // Typed again, the move is allowed.
      const retyped = await updateIntegration(t.ctx("admin"), integration.id, {
        config: ldapConfig({ url: other.url, bindPassword: "typed-again" }),
      });
      expect(retyped.integration.config.url).toBe(other.url);
    } finally {
      await other.close();
    }
  });

  it("a connection test with an integration id and a new URL does not borrow the stored password", async () => {
    const { integration } = await createIntegration(t.ctx("admin"), { name: "Test LDAP", connector: "ldap", config: ldapConfig() });
    const other = await listener();
    try {
      await expect(
        testConnection(t.ctx("admin"), {
          connector: "ldap",
          integrationId: integration.id,
          config: ldapConfig({ url: other.url, bindPassword: "********" }),
        }),
      ).rejects.toMatchObject({ fieldErrors: { "config.bindPassword": [expect.stringMatching(/^Type it again/)] } });
      expect(other.connections()).toBe(0);
      // At the saved address the stored password still fills the blank.
      const ok = await testConnection(t.ctx("admin"), {
        connector: "ldap",
        integrationId: integration.id,
        config: ldapConfig({ bindPassword: "" }),
      });
      expect(ok.ok).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe("an API key needs syncs:run to start a sync", () => {
  async function syncCount(integrationId: string) {
    const [row] = await getSql()`select count(*)::int as n from sync_executions where integration_id = ${integrationId}`;
    return row.n as number;
  }

  it("without it, creating or changing an integration is saved and says that no sync was started", async () => {
    const { secret } = await makeApiKeyCtx(t, ["integrations:write"]);
    const created = await createRoute(
      apiRequest("POST", secret, { name: "No-sync LDAP", connector: "ldap", config: ldapConfig() }),
      noParams,
    );
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body.sync).toBeNull();
    expect(body.notice).toMatch(/no sync was started: this API key lacks the scope "syncs:run"/);
    expect(await syncCount(body.data.id)).toBe(0);

    const patched = await patchRoute(apiRequest("PATCH", secret, { name: "No-sync LDAP renamed" }), params(body.data.id));
    expect(patched.status).toBe(200);
    const patchedBody = await patched.json();
    expect(patchedBody.data.name).toBe("No-sync LDAP renamed");
    expect(patchedBody.sync).toBeNull();
    expect(patchedBody.notice).toMatch(/syncs:run/);
    expect(await syncCount(body.data.id)).toBe(0);
  });

  it("without it, adding evidence is refused before anything is stored (the evidence belongs to the sync it starts)", async () => {
    const { integration } = await createIntegration(t.ctx("admin"), { name: "Evidence LDAP", connector: "ldap", config: ldapConfig() });
    const syncsBefore = await syncCount(integration.id);
    const { secret } = await makeApiKeyCtx(t, ["integrations:write", "evidence:write"]);
    const { POST: evidenceRoute } = await import("@/app/api/v1/integrations/[id]/evidence/route");
    const form = new FormData();
    form.set("notes", "Quarterly review");
    form.append("files", new Blob(["%PDF-1.7\n%%EOF\n"]), "review.pdf");
    const uploadsBefore = (await getSql()`select count(*)::int as n from uploads where tenant_id = ${t.id}`)[0].n;
    const res = await evidenceRoute(
      new Request("http://localhost/api/v1/x", { method: "POST", headers: { authorization: `Bearer ${secret}` }, body: form }),
      params(integration.id),
    );
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatchObject({
      code: "forbidden:syncs:run",
      message: expect.stringMatching(/belongs to the sync it starts/),
    });
    expect((await getSql()`select count(*)::int as n from uploads where tenant_id = ${t.id}`)[0].n).toBe(uploadsBefore);

    const viaPatch = await patchRoute(apiRequest("PATCH", secret, { evidence: { notes: "Reviewed" } }), params(integration.id));
    expect(viaPatch.status).toBe(403);
    expect(await syncCount(integration.id)).toBe(syncsBefore);
  });

  it("with it, a PATCH that changes nothing starts nothing, and one that changes something starts a sync", async () => {
    const { secret } = await makeApiKeyCtx(t, ["integrations:write", "syncs:run"]);
    const created = await (
      await createRoute(apiRequest("POST", secret, { name: "Sync LDAP", connector: "ldap", config: ldapConfig() }), noParams)
    ).json();
    expect(created.sync).toMatchObject({ status: "queued", trigger: "config_saved" });
    const id = created.data.id;
    const auditsBefore = (await getSql()`select count(*)::int as n from audit_events where entity_id = ${id}`)[0].n;

    const same = await patchRoute(
      apiRequest("PATCH", secret, { name: "Sync LDAP", config: ldapConfig({ bindPassword: "********" }) }),
      params(id),
    );
    expect(same.status).toBe(200);
    const sameBody = await same.json();
    expect(sameBody.sync).toBeNull();
    expect(sameBody.notice).toBe("Nothing changed; no sync was started.");
    expect(await syncCount(id)).toBe(1);
    expect((await getSql()`select count(*)::int as n from audit_events where entity_id = ${id}`)[0].n).toBe(auditsBefore);

    const changed = await (await patchRoute(apiRequest("PATCH", secret, { dropThresholdPercent: 40 }), params(id))).json();
    expect(changed.sync).toMatchObject({ trigger: "config_saved" });
    expect(changed.notice).toBeUndefined();
  });
});

describe("a NUL character in a request", () => {
  it("is a 400 with a message, in a JSON body string, a name and a query parameter", async () => {
    const { secret } = await makeApiKeyCtx(t, ["integrations:write", "syncs:run", "audit_log:read"]);
    const named = await createRoute(
      apiRequest("POST", secret, { name: "Nul\u0000name", connector: "ldap", config: ldapConfig() }),
      noParams,
    );
    expect(named.status).toBe(400);
    expect((await named.json()).error).toMatchObject({
      code: "bad_request:nul_character",
      message: "body name: contains a NUL character (\\0), which text cannot hold; remove it.",
    });
    const nested = await createRoute(
      apiRequest("POST", secret, { name: "Nul config", connector: "ldap", config: ldapConfig({ baseDn: "dc=x\u0000" }) }),
      noParams,
    );
    expect(nested.status).toBe(400);
    expect((await nested.json()).error.message).toMatch(/^body config\.baseDn: contains a NUL character/);

    const query = await auditEventsRoute(
      new Request("http://localhost/api/v1/audit-events?q=a%00b", { headers: { authorization: `Bearer ${secret}` } }),
      noParams,
    );
    expect(query.status).toBe(400);
    expect((await query.json()).error.message).toMatch(/^query parameter q: contains a NUL character/);

    // Through a service (what a server action calls) it is the same refusal, as an action result.
    const action = await runAction(() =>
      createIntegration(t.ctx("admin"), { name: "Nul\u0000action", connector: "ldap", config: ldapConfig() }),
    );
    expect(action).toMatchObject({ ok: false, code: "bad_request:nul_character", fieldErrors: { name: [expect.stringContaining("NUL")] } });
  });

  it("that reaches Postgres anyway is still a 400, and the failed query's parameters are not logged", async () => {
    const failure = await getDb()
      .execute(sql`select ${"ENCRYPTED-SECRET-PARAM\u0000"}::text as v`)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(failure).toBeInstanceOf(Error);
    const response = errorResponse(failure, "req-nul-1");
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("bad_request:nul_character");
    expect(await runAction(() => Promise.reject(failure))).toMatchObject({ ok: false, code: "bad_request:nul_character" });

    const other = await getDb()
      .execute(sql`select ${"ENCRYPTED-SECRET-PARAM"}::int as v`)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(String((other as Error).message)).toContain("ENCRYPTED-SECRET-PARAM"); // drizzle puts params in the message…
    const logged = JSON.stringify(serializeError(other));
    expect(logged).not.toContain("ENCRYPTED-SECRET-PARAM"); // …which the log never shows
    expect(logged).toContain('"code":"22P02"');
  });
});

describe("evidence file names over multipart", () => {
  it("are read as UTF-8, so résumé.pdf is stored and sealed as such", async () => {
    const { integration } = await createIntegration(t.ctx("admin"), { name: "Names LDAP", connector: "ldap", config: ldapConfig() });
    const { secret } = await makeApiKeyCtx(t, ["evidence:write", "syncs:run"]);
    const { POST: evidenceRoute } = await import("@/app/api/v1/integrations/[id]/evidence/route");
    const form = new FormData();
    form.set("notes", "CV attached");
    form.append("files", new Blob(["%PDF-1.7\n%%EOF\n"]), "résumé.pdf");
    const res = await evidenceRoute(
      new Request("http://localhost/api/v1/x", { method: "POST", headers: { authorization: `Bearer ${secret}` }, body: form }),
      params(integration.id),
    );
    expect(res.status).toBe(201);
    const { data } = await res.json();
    expect(data.evidence.files.map((f: { name: string }) => f.name)).toEqual(["résumé.pdf"]);
    const [file] = await getSql()`select filename from evidence_files where evidence_id = ${data.evidence.id}`;
    expect(file.filename).toBe("résumé.pdf");
    // The ledger record (queued, or already sealed) names the file the same way.
    const records = await getSql()`
      select record::text as record from ledger_queue where tenant_id = ${t.id} and kind = 'evidence' and ref_id = ${data.evidence.id}
      union all
      select record::text as record from ledger_entries where tenant_id = ${t.id} and kind = 'evidence' and ref_id = ${data.evidence.id}`;
    expect(records.length).toBeGreaterThan(0);
    expect(records[0].record).toContain("résumé.pdf");
    expect(records[0].record).not.toContain("rÃ©sumÃ©");
  });
});
