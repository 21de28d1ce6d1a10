import type { Browser } from "playwright-core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { baseUrl, cookieHeader, launch, signIn } from "./browser";

let browser: Browser;
const alpha = inject("tenantA");
const beta = inject("tenantB");
const BYPASS = { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" };

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function createKey(email: string, scope: string, ...more: string[]) {
  const { context, page } = await signIn(browser, email);
  await page.goto("/admin/api-keys");
  await page.getByLabel("Name").fill(`key ${scope}`);
  for (const s of [scope, ...more]) await page.getByRole("checkbox", { name: s, exact: true }).check();
  await page.getByRole("button", { name: "Create API key" }).click();
  const secret = (await page.getByTestId("new-api-key").textContent())!;
  await context.close();
  return secret;
}

describe("middleware bypass attempts", () => {
  it("refuse a signed-out request that carries x-middleware-subrequest", async () => {
    const page = await fetch(`${baseUrl()}/admin/audit-log`, { headers: BYPASS, redirect: "manual" });
    // The gate sends a signed-out visitor to sign in, whatever the header claims.
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toMatch(/\/login\?callbackUrl=/);
    expect(await page.text()).not.toContain("Audit events");
    const exp = await fetch(`${baseUrl()}/api/audit-log/export?format=csv`, { headers: BYPASS, redirect: "manual" });
    expect(exp.status).toBe(401);
  });

  it("refuse a viewer who skips middleware, on the page and on the export route", async () => {
    const { context } = await signIn(browser, alpha.users.viewer);
    const cookie = await cookieHeader(context);
    const page = await fetch(`${baseUrl()}/admin/audit-log`, { headers: { ...BYPASS, cookie }, redirect: "manual" });
    expect(page.status).toBe(403);
    const body = await page.text();
    expect(body).toContain("Access denied");
    expect(body).not.toContain("Audit events");
    const exp = await fetch(`${baseUrl()}/api/audit-log/export?format=csv`, { headers: { ...BYPASS, cookie } });
    expect(exp.status).toBe(403);
    expect((await exp.json()).error.code).toBe("forbidden:audit_log:export");
    await context.close();
  });
});

describe("checks behind the middleware", () => {
  it("a role lowered after sign-in ends that session: the open form's action and the pages refuse, though the cookie still says admin", async () => {
    const { context, page } = await signIn(browser, alpha.users.demoted);
    expect((await page.goto("/admin/api-keys"))?.status()).toBe(200);

    const admin = await signIn(browser, alpha.users.admin);
    await admin.page.goto("/admin/members");
    const row = admin.page.getByRole("row").filter({ hasText: alpha.users.demoted });
    await row.getByLabel(`Role of ${alpha.users.demoted}`).selectOption("viewer");
    await row.getByRole("button", { name: "Save" }).click();
    await admin.page.getByText(`${alpha.users.demoted}: viewer`).waitFor();
    await admin.context.close();

    // The form loaded before the change still posts; the action itself refuses.
    await page.getByLabel("Name").fill("should not exist");
    await page.getByRole("checkbox", { name: "audit_log:read" }).check();
    await page.getByRole("button", { name: "Create API key" }).click();
    await page.getByText("Sign in to continue.").waitFor();
    expect(await page.getByTestId("new-api-key").count()).toBe(0);

    // Middleware sees role=admin in the cookie and lets these through; the pages send the user to sign in again.
    await page.goto("/admin/audit-log");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.getByRole("table", { name: "Audit events" }).count()).toBe(0);
    await page.goto("/admin/api-keys");
    expect(new URL(page.url()).pathname).toBe("/login");

    // Signing in again gives the lowered role.
    await page.getByLabel("Email").fill(alpha.users.demoted);
    await page.getByLabel("Password").fill(inject("password"));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    expect((await page.goto("/admin/api-keys"))?.status()).toBe(403);
    await page.getByRole("heading", { name: "Access denied" }).waitFor();
    await context.close();
  });
});

describe("tenant isolation", () => {
  it("an admin of one tenant cannot open another tenant's audit event, by page or by API", async () => {
    const sql = postgres(inject("e2eDatabaseUrl"), { max: 1 });
    const [betaEvent] = await sql`select id from audit_events where tenant_id = ${beta.id} limit 1`;
    await sql.end();
    const { context, page } = await signIn(browser, alpha.users.admin);
    const res = await page.goto(`/admin/audit-log/${betaEvent.id}`);
    expect(res?.status()).toBe(404);
    expect(await page.content()).not.toContain(beta.slug);
    await context.close();

    const key = await createKey(alpha.users.admin, "audit_log:read");
    const api = await fetch(`${baseUrl()}/api/v1/audit-events/${betaEvent.id}`, { headers: { authorization: `Bearer ${key}` } });
    expect(api.status).toBe(404);
    const list = await fetch(`${baseUrl()}/api/v1/audit-events?limit=1000`, { headers: { authorization: `Bearer ${key}` } });
    const body = await list.json();
    expect(body.data.length).toBeGreaterThan(0);
    expect(body.data.every((e: { tenantId: string }) => e.tenantId === alpha.id)).toBe(true);
  });

  it("a tenant switch to a tenant the user does not belong to answers access denied, not a server error, and changes nothing", async () => {
    const { context, page } = await signIn(browser, alpha.users.admin);
    const statuses: number[] = [];
    page.on("response", (r) => statuses.push(r.status()));
    // Post the switch action's form with beta's id by editing the hidden field.
    await page.goto("/");
    await page.locator('[data-slot="tenant-switcher"][data-ready]').waitFor();
    await page.evaluate((id) => {
      const input = document.querySelector<HTMLInputElement>('input[name="tenantId"]')!;
      input.value = id;
      input.form!.requestSubmit();
    }, beta.id);
    await page.getByRole("heading", { name: "Access denied" }).waitFor();
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    await page.goto("/admin/audit-log");
    expect(await page.content()).toContain("Alpha Corp");
    expect(await page.content()).not.toContain("Beta Ltd");
    await context.close();
  });
});

describe("REST API", () => {
  it("authenticates API keys, checks scope, answers errors as JSON, and publishes its OpenAPI document", async () => {
    const none = await fetch(`${baseUrl()}/api/v1/audit-events`);
    expect(none.status).toBe(401);
    expect((await none.json()).error).toMatchObject({ code: "unauthorized:api_key" });
    const bad = await fetch(`${baseUrl()}/api/v1/audit-events`, { headers: { authorization: "Bearer slk_nope" } });
    expect(bad.status).toBe(401);

    const readKey = await createKey(alpha.users.admin, "audit_log:read");
    const ok = await fetch(`${baseUrl()}/api/v1/audit-events?entityType=ApiKey&action=Create&limit=2`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    expect(ok.status).toBe(200);
    const page = await ok.json();
    expect(page.data.length).toBeGreaterThan(0);
    expect(page.data.every((e: { entityType: string }) => e.entityType === "ApiKey")).toBe(true);
    const invalid = await fetch(`${baseUrl()}/api/v1/audit-events?action=Explode`, { headers: { authorization: `Bearer ${readKey}` } });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.fieldErrors.action).toEqual([expect.stringContaining("not a tracked action")]);
    const noScope = await fetch(`${baseUrl()}/api/v1/audit-events/export?format=csv`, { headers: { authorization: `Bearer ${readKey}` } });
    expect(noScope.status).toBe(403);

    const exportKey = await createKey(alpha.users.admin, "audit_log:export");
    const exp = await fetch(`${baseUrl()}/api/v1/audit-events/export?format=jsonl&entityType=ApiKey`, {
      headers: { authorization: `Bearer ${exportKey}` },
    });
    expect(exp.status).toBe(200);
    expect(exp.headers.get("content-disposition")).toMatch(/^attachment;/);
    const lines = (await exp.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.every((l) => l.entityType === "ApiKey")).toBe(true);
    // The export is attributed to the key in the audit log.
    const audited = await fetch(`${baseUrl()}/api/v1/audit-events?entityType=AuditLog&action=Export`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    const exportEvent = (await audited.json()).data[0];
    expect(exportEvent).toMatchObject({ actorType: "api_key", actorName: "key audit_log:export" });

    const doc = await (await fetch(`${baseUrl()}/api/v1/openapi.json`)).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/audit-events",
        "/audit-events/{id}",
        "/audit-events/export",
        "/integrations",
        "/integrations/{id}",
        "/integrations/{id}/syncs",
        "/syncs/{id}",
        "/syncs/{id}/log",
      ]),
    );
    expect(doc.components.schemas.AuditEvent.properties.entityType.enum).toContain("ApiKey");
    expect(doc.components.schemas.SyncLogEntry.properties.name.type).toEqual(["string", "null"]);
  });

  it("creates an integration and starts syncs over the API, with secrets write-only and Idempotency-Key honoured", async () => {
    const ldap = inject("ldap");
    const key = await createKey(alpha.users.admin, "integrations:write", "integrations:read", "syncs:run", "syncs:read");
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const bad = await fetch(`${baseUrl()}/api/v1/integrations`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "x", connector: "ldap", config: {} }),
    });
    expect(bad.status).toBe(422);
    expect(Object.keys((await bad.json()).error.fieldErrors)).toEqual(expect.arrayContaining(["name", "config.url"]));

    const created = await fetch(`${baseUrl()}/api/v1/integrations`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "API LDAP", connector: "ldap", config: ldap }),
    });
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body.data.config.bindPassword).toBe("********");
    expect(body.sync).toMatchObject({ status: "queued", trigger: "config_saved", startedByType: "api_key" });
    const id = body.data.id;

    const got = await (await fetch(`${baseUrl()}/api/v1/integrations/${id}`, { headers })).json();
    expect(JSON.stringify(got)).not.toContain(ldap.bindPassword);

    const first = await fetch(`${baseUrl()}/api/v1/integrations/${id}/syncs`, {
      method: "POST",
      headers: { ...headers, "idempotency-key": "nightly-1" },
    });
    expect(first.status).toBe(202);
    const again = await fetch(`${baseUrl()}/api/v1/integrations/${id}/syncs`, {
      method: "POST",
      headers: { ...headers, "idempotency-key": "nightly-1" },
    });
    expect(again.status).toBe(200);
    const firstSync = (await first.json()).data;
    expect((await again.json()).data.id).toBe(firstSync.id);
    expect(firstSync.trigger).toBe("api");

    let sync = firstSync;
    for (let i = 0; i < 100 && ["queued", "syncing", "completed"].includes(sync.status); i++) {
      await new Promise((r) => setTimeout(r, 200));
      sync = (await (await fetch(`${baseUrl()}/api/v1/syncs/${firstSync.id}`, { headers })).json()).data;
    }
    expect(sync.status).toBe("post_sync_completed");
    expect(sync.counts.account.extracted).toBe(20);
    // The Sync Log over the API: rows carry the record's name, and q finds them by it.
    const found = await (await fetch(`${baseUrl()}/api/v1/syncs/${firstSync.id}/log?q=user000003`, { headers })).json();
    expect(found.data.map((r: { objectType: string; name: string }) => [r.objectType, r.name])).toEqual([
      ["account", "user000003"],
      ["membership", "user000003 in group00000"],
    ]);
    const page = await (await fetch(`${baseUrl()}/api/v1/syncs/${firstSync.id}/log?objectType=group`, { headers })).json();
    expect(page).toMatchObject({ data: [{ name: "group00000" }, { name: "group00001" }, { name: "group00002" }], nextCursor: null });
    const history = await (await fetch(`${baseUrl()}/api/v1/integrations/${id}/syncs`, { headers })).json();
    expect(history.data.length).toBe(2);

    const otherTenantKey = await createKey(beta.users.admin, "integrations:read");
    const denied = await fetch(`${baseUrl()}/api/v1/integrations/${id}`, { headers: { authorization: `Bearer ${otherTenantKey}` } });
    expect(denied.status).toBe(404);
  });

  it("attaches evidence over the API as multipart, refuses a disguised file, and verifies the ledger", async () => {
    const ldap = inject("ldap");
    const key = await createKey(
      alpha.users.admin,
      "integrations:write",
      "evidence:write",
      "evidence:read",
      "ledger:read",
      "syncs:read",
      "syncs:run",
    );
    const auth = { authorization: `Bearer ${key}` };
    const created = await fetch(`${baseUrl()}/api/v1/integrations`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "Evidence API", connector: "ldap", config: ldap }),
    });
    const id = (await created.json()).data.id;

    const disguised = new FormData();
    disguised.set("notes", "Quarterly review");
    disguised.append("files", new Blob(["<html><script>alert(1)</script></html>"]), "report.pdf");
    const refused = await fetch(`${baseUrl()}/api/v1/integrations/${id}/evidence`, { method: "POST", headers: auth, body: disguised });
    expect(refused.status).toBe(422);
    expect((await refused.json()).error.message).toMatch(/"report\.pdf" was refused: its content is not a PDF/);

    const form = new FormData();
    form.set("notes", "## Access review\n\nAll **admin** accounts confirmed.");
    form.append("files", new Blob(["%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"]), "review.pdf");
    form.append("files", new Blob(['{"approved":true}']), "approval.json");
    const attached = await fetch(`${baseUrl()}/api/v1/integrations/${id}/evidence`, { method: "POST", headers: auth, body: form });
    expect(attached.status).toBe(201);
    const { data } = await attached.json();
    expect(data.sync.trigger).toBe("evidence_updated");

    const evidence = await (await fetch(`${baseUrl()}/api/v1/syncs/${data.sync.id}/evidence`, { headers: auth })).json();
    expect(evidence.data.notesHtml).toContain("<strong>admin</strong>");
    expect(evidence.data.files.map((f: { name: string }) => f.name)).toEqual(["review.pdf", "approval.json"]);
    const download = await fetch(evidence.data.files[1].downloadUrl);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toMatch(/^attachment; filename="approval\.json"/);
    expect(download.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await download.text()).toBe('{"approved":true}');

    const verified = await (await fetch(`${baseUrl()}/api/v1/ledger/verify`, { headers: auth })).json();
    expect(verified.data).toMatchObject({ ok: true, problems: [] });
    expect(verified.data.filesChecked).toBeGreaterThanOrEqual(2);

    const readOnly = await createKey(alpha.users.admin, "syncs:read");
    const noScope = await fetch(`${baseUrl()}/api/v1/ledger/verify`, { headers: { authorization: `Bearer ${readOnly}` } });
    expect(noScope.status).toBe(403);
  });

  it("reports health of the database and object store", async () => {
    const res = await fetch(`${baseUrl()}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", database: { status: "up" }, objectStore: { status: "up" } });
  });
});

describe("sign-in redirects", () => {
  const evil = ["/\\evil.example", "/\t/evil.example", "//evil.example", "https://evil.example/"];

  it("a signed-in user opening a sign-in link with another site as its target stays on the app", async () => {
    const { context } = await signIn(browser, alpha.users.viewer);
    const cookie = await cookieHeader(context);
    for (const target of evil) {
      const res = await fetch(`${baseUrl()}/login?callbackUrl=${encodeURIComponent(target)}`, { headers: { cookie }, redirect: "manual" });
      expect([303, 307, 308], target).toContain(res.status);
      expect(res.headers.get("location"), target).toBe("/");
    }
    const ok = await fetch(`${baseUrl()}/login?callbackUrl=${encodeURIComponent("/syncs?x=1")}`, {
      headers: { cookie },
      redirect: "manual",
    });
    expect(ok.headers.get("location")).toBe("/syncs?x=1");
    await context.close();
  });

  it("signing in through such a link lands on the app, in Chromium", async () => {
    for (const target of ["/\\evil.example", "/\t/evil.example"]) {
      const context = await browser.newContext({ baseURL: baseUrl() });
      // Were the browser sent away, it would land here rather than fail on DNS.
      await context.route(
        (url) => url.hostname.endsWith("evil.example"),
        (route) => route.fulfill({ status: 200, body: "evil" }),
      );
      const page = await context.newPage();
      await page.goto(`/login?callbackUrl=${encodeURIComponent(target)}`);
      await page.getByLabel("Email").fill(alpha.users.viewer);
      await page.getByLabel("Password").fill(inject("password"));
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((u) => !u.pathname.startsWith("/login"));
      await page.waitForLoadState("networkidle");
      expect(new URL(page.url()).origin, target).toBe(new URL(baseUrl()).origin);
      expect(new URL(page.url()).pathname, target).toBe("/");
      await context.close();
    }
  });
});

describe("sign-in without JavaScript", () => {
  it("the form posts, signs in and returns to the requested page, and the password never appears in a URL", async () => {
    const context = await browser.newContext({ baseURL: baseUrl(), javaScriptEnabled: false });
    const page = await context.newPage();
    const urls: string[] = [];
    page.on("request", (r) => urls.push(r.url()));
    await page.goto("/admin/audit-log");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect((await page.locator("form").first().getAttribute("method"))?.toLowerCase()).toBe("post");

    await page.getByLabel("Email").fill(alpha.users.auditor);
    await page.getByLabel("Password").fill("not-the-password-42");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Email or password is incorrect.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.getByLabel("Email").inputValue()).toBe(alpha.users.auditor);

    await page.getByLabel("Password").fill(inject("password"));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/admin/audit-log");
    await page.getByRole("heading", { name: "Audit Log", level: 1 }).waitFor();
    for (const url of urls) {
      expect(url).not.toContain("not-the-password-42");
      expect(url).not.toContain(encodeURIComponent(inject("password")));
      expect(url).not.toContain("password=");
    }
    await context.close();
  });
});

describe("sign-out", () => {
  it("ends the session on the server: a copy of the old cookie no longer opens pages or routes", async () => {
    const { context, page } = await signIn(browser, alpha.users.auditor);
    const cookie = await cookieHeader(context);
    const before = await fetch(`${baseUrl()}/api/audit-log/export?format=csv`, { headers: { cookie } });
    expect(before.status).toBe(200);

    await page.getByRole("button", { name: "User menu" }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/api/auth/signout"));
    expect((await context.cookies()).some((c) => c.name.endsWith("next-auth.session-token"))).toBe(false);

    const exp = await fetch(`${baseUrl()}/api/audit-log/export?format=csv`, { headers: { cookie } });
    expect(exp.status).toBe(401);
    const pageRes = await fetch(`${baseUrl()}/admin/audit-log`, { headers: { cookie }, redirect: "manual" });
    expect([303, 307, 308]).toContain(pageRes.status);
    expect(new URL(pageRes.headers.get("location")!, baseUrl()).pathname).toBe("/login");
    await context.close();
  });
});

describe("client address", () => {
  it("is the socket's, not a forged X-Forwarded-For, in the audit log and the sign-in throttle", async () => {
    const forged = { "x-forwarded-for": "198.51.100.66", "x-syncledger-peer": "198.51.100.77" };
    const sql = postgres(inject("e2eDatabaseUrl"), { max: 1 });
    try {
      // A wrong password through the sign-in form, from a browser that forges both headers.
      const context = await browser.newContext({ baseURL: baseUrl(), extraHTTPHeaders: forged });
      const page = await context.newPage();
      await page.goto("/login");
      await page.getByLabel("Email").fill("nobody-forged@alpha.test");
      await page.getByLabel("Password").fill("wrong-password-123");
      await page.getByRole("button", { name: "Sign in" }).click();
      let attempts: { ip: string | null }[] = [];
      for (let i = 0; i < 50 && attempts.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        attempts = await sql`select ip from login_attempts where email = 'nobody-forged@alpha.test'`;
      }
      await context.close();
      expect(attempts.map((a) => a.ip)).toEqual(["127.0.0.1"]);

      // An audited API call with the same forged headers.
      const key = await createKey(alpha.users.admin, "integrations:write", "syncs:run");
      const created = await fetch(`${baseUrl()}/api/v1/integrations`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...forged },
        body: JSON.stringify({ name: "Forged address", connector: "ldap", config: inject("ldap") }),
      });
      expect(created.status).toBe(201);
      const [event] =
        await sql`select host(ip) as ip from audit_events where entity_id = ${(await created.json()).data.id} and entity_type = 'ConnectionProfile'`;
      expect(event.ip).toBe("127.0.0.1");
    } finally {
      await sql.end();
    }
  });
});
