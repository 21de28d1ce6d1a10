/**
 * The provisioning tasks API (/api/v1/provisioning/tasks…) and the
 * Synchronization Logs export: filters and keyset pages as on the page, one
 * task in full, manual operations, a confirm without a reason, scopes refused,
 * tenants kept apart, and the export audited.
 */
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listRoute, POST as createRoute } from "@/app/api/v1/provisioning/tasks/route";
import { GET as getRoute } from "@/app/api/v1/provisioning/tasks/[id]/route";
import { POST as confirmRoute } from "@/app/api/v1/provisioning/tasks/[id]/confirm/route";
import { POST as cancelRoute } from "@/app/api/v1/provisioning/tasks/[id]/cancel/route";
import { POST as retryRoute } from "@/app/api/v1/provisioning/tasks/[id]/retry/route";
import { getDb } from "@/db/client";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { openApiDocument } from "@/lib/openapi/document";
import { exportTasks } from "@/lib/provisioning/export";
import { updateProvisioningSettings } from "@/lib/provisioning/service";
import { auditRows, expectAuditRow, makeApiKeyCtx, makeCsvIntegration, makeTenant, type TestTenant } from "../helpers/factories";
import { waitUntil } from "../helpers/wait";

let a: TestTenant;
let b: TestTenant;
let hr: string;
let crm: string;
let off: string;
let writer: string;
let reader: string;
let writerName: string;

const call = (secret: string, path: string, body?: unknown) =>
  new Request(`http://localhost/api/v1/provisioning/tasks${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${secret}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const params = (id = "") => ({ params: Promise.resolve({ id }) });

async function create(secret: string, body: Record<string, unknown>) {
  const res = await createRoute(call(secret, "", body), params());
  return { status: res.status, body: await res.json() };
}
async function list(secret: string, qs = "") {
  const res = await listRoute(call(secret, qs), params());
  return { status: res.status, body: await res.json() };
}

const csv = "externalId,username\nu1,alice\n";

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  [a, b] = await Promise.all([makeTenant(), makeTenant()]);
  const [h, c, o] = await Promise.all([
    makeCsvIntegration(a, "HR", csv),
    makeCsvIntegration(a, "CRM", csv),
    makeCsvIntegration(a, "Payroll", csv),
  ]);
  [hr, crm, off] = [h.integration.id, c.integration.id, o.integration.id];
  for (const id of [hr, crm]) {
    await updateProvisioningSettings(a.ctx("admin"), { integrationId: id, enabled: true, mode: "manual" });
  }
  const w = await makeApiKeyCtx(a, ["provisioning:read", "provisioning:write"]);
  const r = await makeApiKeyCtx(a, ["provisioning:read"]);
  [writer, writerName, reader] = [w.secret, w.apiKey.name, r.secret];

  // Five operations on HR (three accounts, two grants) and one on CRM, queued through the API.
  for (const username of ["alice", "bob", "carol"]) {
    const res = await create(writer, { integrationId: hr, action: "create", account: { username }, attributes: { displayName: username } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  for (const username of ["alice", "bob"]) {
    const res = await create(writer, {
      integrationId: hr,
      action: "grant",
      account: { username },
      group: { externalId: "g1", name: "Payments" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  expect((await create(writer, { integrationId: crm, action: "disable", account: { username: "dave" } })).status).toBe(201);
}, 60_000);

describe("GET /api/v1/provisioning/tasks", () => {
  it("lists newest first with the page's filters", async () => {
    const all = await list(reader);
    expect(all.status).toBe(200);
    expect(all.body.data.map((t: { objectName: string }) => t.objectName)).toEqual([
      "dave",
      "bob → Payments",
      "alice → Payments",
      "carol",
      "bob",
      "alice",
    ]);
    expect(all.body.data[0]).toMatchObject({
      integrationName: "CRM",
      action: "disable",
      status: "pending",
      source: "manual",
      initiatorName: writerName,
    });
    expect(all.body.nextCursor).toBeNull();

    const names = async (qs: string) => (await list(reader, qs)).body.data.map((t: { objectName: string }) => t.objectName);
    expect(await names("?objectType=membership")).toEqual(["bob → Payments", "alice → Payments"]);
    expect(await names(`?integrationId=${crm}`)).toEqual(["dave"]);
    expect(await names("?action=create&q=AL")).toEqual(["alice"]);
    expect(await names("?source=retry_after_modification")).toEqual([]);
    expect(await names("?status=pending&objectType=account")).toHaveLength(4);
    expect(await names(`?initiator=${encodeURIComponent(writerName.slice(0, 6))}`)).toHaveLength(6);
    expect(await names(`?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
  });

  it("pages with the cursor, never repeating or skipping a task", async () => {
    const seen: string[] = [];
    let cursor: string | null = "";
    let pages = 0;
    while (cursor !== null) {
      const page = await list(reader, `?limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((t: { id: string }) => t.id));
      cursor = page.body.nextCursor;
      pages++;
    }
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(6);
  });

  it("refuses a filter it cannot apply with a message that names it", async () => {
    const res = await list(reader, "?status=lost");
    expect(res.status).toBe(422);
    expect(res.body.error.fieldErrors.status).toBeDefined();
  });

  it("shows another tenant nothing", async () => {
    const { secret } = await makeApiKeyCtx(b, ["provisioning:read"]);
    expect((await list(secret)).body.data).toEqual([]);
    const mine = (await list(reader)).body.data[0];
    const res = await getRoute(call(secret, `/${mine.id}`), params(mine.id));
    expect(res.status).toBe(404);
  });
});

describe("GET /api/v1/provisioning/tasks/{id}", () => {
  it("returns the task with its parameters and operation log, never the callback token hash", async () => {
    const [grant] = (await list(reader, "?objectType=membership&q=alice")).body.data;
    const res = await getRoute(call(reader, `/${grant.id}`), params(grant.id));
    expect(res.status).toBe(200);
    const { data } = await res.json();
    expect(data).toMatchObject({
      id: grant.id,
      integrationName: "HR",
      action: "grant",
      parameters: { group: { externalId: "g1", name: "Payments" } },
      groupExternalId: "g1",
    });
    expect(data.steps[0].message).toContain(writerName);
    expect(data).not.toHaveProperty("callbackTokenHash");
  });
});

describe("POST /api/v1/provisioning/tasks", () => {
  it("queues a manual operation and audits it", async () => {
    const res = await create(writer, { integrationId: crm, action: "enable", account: { username: "erin", externalId: "e-1" } });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ status: "pending", objectName: "erin", accountExternalId: "e-1", source: "manual" });
    const row = await expectAuditRow(a.id, "ProvisioningTask", "Create", "erin");
    expect(row.actorName).toBe(writerName);
    // Not left pending for the list tests' counts.
    expect((await cancelRoute(call(writer, `/${res.body.data.id}/cancel`, {}), params(res.body.data.id))).status).toBe(200);
  });

  it("refuses an application whose provisioning is off, and bad parameters per field", async () => {
    const offRes = await create(writer, { integrationId: off, action: "delete", account: { username: "alice" } });
    expect(offRes.status).toBe(409);
    expect(offRes.body.error.message).toContain('"Payroll"');

    const bad = await create(writer, { integrationId: hr, action: "grant", account: { username: "alice" } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fieldErrors.group).toBeDefined();
  });
});

describe("POST /api/v1/provisioning/tasks/{id}/confirm", () => {
  it("refuses a confirmation without a reason with a message that says so, and changes nothing", async () => {
    const [task] = (await list(reader, "?q=carol")).body.data;
    const before = await auditRows(a.id, "ProvisioningTask", "Confirm");
    for (const body of [{}, { reason: "   " }]) {
      const res = await confirmRoute(call(writer, `/${task.id}/confirm`, body), params(task.id));
      expect(res.status).toBe(422);
      const json = await res.json();
      expect(json.error.message).toMatch(/reason is required/i);
      expect(json.error.fieldErrors.reason).toBeDefined();
    }
    const after = await getRoute(call(reader, `/${task.id}`), params(task.id));
    expect((await after.json()).data.status).toBe("pending");
    expect(await auditRows(a.id, "ProvisioningTask", "Confirm")).toHaveLength(before.length);
  });
});

describe("scopes", () => {
  it("refuses keys without the scope", async () => {
    const [task] = (await list(reader)).body.data;
    const readOnly = await create(reader, { integrationId: hr, action: "delete", account: { username: "alice" } });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.error.code).toBe("forbidden:provisioning:write");
    const confirm = await confirmRoute(call(reader, `/${task.id}/confirm`, { reason: "done by hand" }), params(task.id));
    expect(confirm.status).toBe(403);

    const { secret: syncsOnly } = await makeApiKeyCtx(a, ["syncs:read"]);
    const listed = await list(syncsOnly);
    expect(listed.status).toBe(403);
    expect(listed.body.error.code).toBe("forbidden:provisioning:read");
    expect((await listRoute(call("slk_nope", ""), params())).status).toBe(401);
  });
});

describe("the export", () => {
  async function text(stream: ReadableStream<Uint8Array>) {
    return new Response(stream).text();
  }

  it("streams the filtered list as CSV and JSON Lines, and audits each export", async () => {
    const before = (await auditRows(a.id, "ProvisioningLog", "Export")).length;
    const csvFile = await exportTasks(a.ctx("auditor"), { format: "csv", filters: { objectType: "membership" } });
    const lines = (await text(csvFile.body)).trim().split("\n");
    expect(lines[0]).toContain("id,created_at,integration,object_type,object,action,source,status");
    expect(lines.slice(1).map((l) => l.split(",")[4])).toEqual(["bob → Payments", "alice → Payments"]);

    const jsonl = await exportTasks(a.ctx("admin"), { format: "jsonl", filters: { integrationId: crm, status: "pending" } });
    const records = (await text(jsonl.body))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ object: "dave", action: "disable", integration: "CRM", status: "pending" });

    const rows = await auditRows(a.id, "ProvisioningLog", "Export");
    expect(rows).toHaveLength(before + 2);
    expect(rows.map((r) => r.details).join(" | ")).toContain("objectType=membership");
    await expect(exportTasks(a.ctx("viewer"), { format: "csv", filters: {} })).rejects.toMatchObject({
      code: "forbidden:provisioning:read",
    });
    await expect(exportTasks(a.ctx("admin"), { format: "xml", filters: {} })).rejects.toMatchObject({ code: "bad_request:format" });
  });
});

describe("the OpenAPI document", () => {
  it("describes the tasks, batches and callback paths", () => {
    const paths = Object.keys(openApiDocument().paths);
    for (const p of [
      "/provisioning/tasks",
      "/provisioning/tasks/{id}",
      "/provisioning/tasks/{id}/confirm",
      "/provisioning/tasks/{id}/retry",
      "/provisioning/tasks/{id}/cancel",
      "/provisioning/batches",
      "/provisioning/batches/{id}",
      "/provisioning/callbacks/{id}",
    ]) {
      expect(paths).toContain(p);
    }
  });
});

describe("confirm and retry with the workers running", () => {
  let worker: Worker | undefined;
  afterAll(async () => {
    await worker?.stop();
  });

  async function statusOf(id: string) {
    const res = await getRoute(call(reader, `/${id}`), params(id));
    return (await res.json()).data;
  }

  it("confirms a manual task waiting for someone, and retries a failed one with new parameters", async () => {
    // A port nothing listens on: the callback endpoint refuses every operation.
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      });
    });
    const cb = await makeCsvIntegration(a, "Ticketing", csv);
    await updateProvisioningSettings(a.ctx("admin"), {
      integrationId: cb.integration.id,
      enabled: true,
      mode: "callback",
      callback: { url: `http://127.0.0.1:${closed}/provision` },
    });
    worker = startWorker({
      db: getDb(),
      idlePollSeconds: 0.1,
      heartbeatSeconds: 1,
      provisioningRetry: { maxAttempts: 1, baseMs: 10, maxMs: 10 },
    });

    const manual = (
      await create(writer, { integrationId: hr, action: "update", account: { username: "frank" }, attributes: { displayName: "Frank" } })
    ).body.data;
    await waitUntil("the manual task to wait for someone", async () => {
      const t = await statusOf(manual.id);
      return t.status === "running" && t.steps.some((s: { message: string }) => s.message.startsWith("Waiting for someone"));
    });
    const confirmed = await confirmRoute(
      call(writer, `/${manual.id}/confirm`, { reason: "Updated by hand in HR, ticket 4411" }),
      params(manual.id),
    );
    expect(confirmed.status).toBe(200);
    expect((await confirmed.json()).data).toMatchObject({
      status: "confirmed",
      confirmReason: "Updated by hand in HR, ticket 4411",
      confirmedByName: writerName,
    });
    await expectAuditRow(a.id, "ProvisioningTask", "Confirm", "frank");
    // Confirmed once: a second confirmation is refused and says why.
    const again = await confirmRoute(call(writer, `/${manual.id}/confirm`, { reason: "again" }), params(manual.id));
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toContain("Confirmed");

    const failing = (await create(writer, { integrationId: cb.integration.id, action: "create", account: { username: "gina" } })).body.data;
    const failed = await waitUntil("the callback task to fail", async () => {
      const t = await statusOf(failing.id);
      return t.status === "failed" ? t : null;
    });
    expect(failed.message).toBeTruthy();
    const badRetry = await retryRoute(
      call(writer, `/${failing.id}/retry`, { parameters: { group: { externalId: "g1" } } }),
      params(failing.id),
    );
    expect(badRetry.status).toBe(422);
    expect((await badRetry.json()).error.fieldErrors.group).toBeDefined();
    const retried = await retryRoute(
      call(writer, `/${failing.id}/retry`, { parameters: { attributes: { displayName: "Gina G" } } }),
      params(failing.id),
    );
    expect(retried.status).toBe(201);
    const retry = (await retried.json()).data;
    expect(retry).toMatchObject({
      source: "retry_after_modification",
      retryOfId: failing.id,
      parameters: { attributes: { displayName: "Gina G" } },
    });
    expect((await statusOf(failing.id)).status).toBe("superseded");
    const listed = (await list(reader, "?source=retry_after_modification")).body.data;
    expect(listed.map((t: { id: string }) => t.id)).toEqual([retry.id]);
  });
});
