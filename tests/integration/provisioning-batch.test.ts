/**
 * Batch provisioning: an uploaded CSV becomes one task per good row, bad rows
 * are reported by line with the reason, a file that is not a CSV of
 * operations is refused with nothing stored, an integration whose
 * provisioning is off takes no batch, and the batch reports its progress.
 */
import { and, count, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/provisioning/batches/route";
import { GET as getRoute } from "@/app/api/v1/provisioning/batches/[id]/route";
import { getDb } from "@/db/client";
import { provisioningBatches, provisioningTasks } from "@/db/schema";
import { isAppError } from "@/lib/errors";
import { createBatch, getBatch } from "@/lib/provisioning/batch";
import { updateProvisioningSettings } from "@/lib/provisioning/service";
import { expectAuditRow, makeApiKeyCtx, makeCsvIntegration, makeTenant, type TestTenant } from "../helpers/factories";

let t: TestTenant;
let other: TestTenant;
let hr: string;
let off: string;

const file = (text: string | Uint8Array, name = "batch.csv") => ({
  name,
  bytes: typeof text === "string" ? new TextEncoder().encode(text) : text,
});

async function stored(tenantId: string) {
  const db = getDb();
  const [batches] = await db.select({ n: count() }).from(provisioningBatches).where(eq(provisioningBatches.tenantId, tenantId));
  const [tasks] = await db.select({ n: count() }).from(provisioningTasks).where(eq(provisioningTasks.tenantId, tenantId));
  return { batches: batches.n, tasks: tasks.n };
}

async function refusal(work: Promise<unknown>) {
  try {
    await work;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  [t, other] = await Promise.all([makeTenant(), makeTenant()]);
  const a = await makeCsvIntegration(t, "HR", "externalId,username\n1,alice\n");
  const b = await makeCsvIntegration(t, "Payroll", "externalId,username\n1,alice\n");
  hr = a.integration.id;
  off = b.integration.id;
  await updateProvisioningSettings(t.ctx("admin"), { integrationId: hr, enabled: true, mode: "manual" });
  await updateProvisioningSettings(t.ctx("admin"), { integrationId: off, enabled: false, mode: "manual" });
});

describe("createBatch", () => {
  it("queues one task per good row and reports each bad row by its line and reason", async () => {
    const csv = [
      "action,username,external_id,group,group_name,email,display_name,expires_at",
      "create,jdoe,,,,jdoe@example.com,Jane Doe,", // 2: good
      "frobnicate,jdoe,,,,,,", // 3: unknown action
      "grant,jdoe,,,,,,", // 4: grant without a group
      "grant,jdoe,,cn=staff,Staff,,,2099-01-31", // 5: good, with expiry
      "revoke,,u-7,cn=staff,,,,", // 6: no username
      "grant,jdoe,,cn=ops,,,,2001-01-01", // 7: expiry in the past
      "disable,asmith", // 8: too few columns
      "",
      "update,asmith,u-9,,,asmith@example.com,,", // 10: good, after a blank line
    ].join("\n");
    const out = await createBatch(t.ctx("operator"), { integrationId: hr, file: file(csv, "people.csv") });
    expect(out).toMatchObject({ rows: 8, taskCount: 3 });
    expect(out.rejected.map((r) => r.line)).toEqual([3, 4, 6, 7, 8]);
    const reason = Object.fromEntries(out.rejected.map((r) => [r.line, r.reason]));
    expect(reason[3]).toBe('action: "frobnicate" is not one of create, update, delete, enable, disable, grant, revoke.');
    expect(reason[4]).toBe("group: is required to grant a group membership.");
    expect(reason[6]).toMatch(/username: is required/);
    expect(reason[7]).toMatch(/expires_at: must be in the future/);
    expect(reason[8]).toBe("Has 2 columns; the header has 8.");

    const tasks = await getDb()
      .select()
      .from(provisioningTasks)
      .where(eq(provisioningTasks.batchId, out.id))
      .orderBy(provisioningTasks.batchLine);
    expect(tasks.map((x) => [x.batchLine, x.action, x.objectName, x.source, x.sourceRefType])).toEqual([
      [2, "create", "jdoe", "manual", "batch"],
      [5, "grant", "jdoe → Staff", "manual", "batch"],
      [10, "update", "asmith", "manual", "batch"],
    ]);
    expect(tasks[0].parameters).toEqual({ attributes: { email: "jdoe@example.com", displayName: "Jane Doe", username: "jdoe" } });
    expect(tasks[1].expiresAt?.toISOString()).toBe("2099-01-31T00:00:00.000Z");
    expect(tasks[2].accountExternalId).toBe("u-9");
    const audit = await expectAuditRow(t.id, "ProvisioningBatch", "Create", "people.csv");
    expect(audit.details).toContain('Queued 3 tasks on "HR"');

    const batch = await getBatch(t.ctx("auditor"), out.id);
    expect(batch.rejected).toHaveLength(5);
    expect(batch.integrationName).toBe("HR");
  });

  it("refuses a file that is not a CSV of operations, says why, and stores nothing", async () => {
    const before = await stored(t.id);
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    const cases: [ReturnType<typeof file>, RegExp][] = [
      [file(png, "photo.png"), /“photo\.png” cannot be used: the file is binary/],
      [file(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), "people.xlsx"), /ZIP archive \(an Excel workbook\?\); export it as CSV/],
      [file("<!doctype html><html><body>hi</body></html>\n"), /HTML or XML, not CSV/],
      [file("action,email\ncreate,x@example.com\n"), /the header has no "username" column/],
      [file("action,username,shoe_size\ncreate,jdoe,44\n"), /"shoe_size", which is not a column of a batch/],
      [file("action,username\n"), /a header but no rows/],
      [file(Uint8Array.from([...new TextEncoder().encode("action,username\ncreate,j"), 0xff, 0xfe, 0x41, 0x0a])), /not UTF-8 text/],
      [file(`action,username\n${"create,u\n".repeat(10_001)}`), /10,001 rows; a batch takes at most 10,000/],
      [
        file("action,username,group\ngrant,alice,\nfly,bob,\n"),
        /no row can be used; line 2: group: is required to grant a group membership\. line 3: action: "fly" is not one of/,
      ],
    ];
    for (const [f, message] of cases) {
      const e = await refusal(createBatch(t.ctx("admin"), { integrationId: hr, file: f }));
      expect(e.code, f.name).toBe("unprocessable:batch_file");
      expect(e.message).toMatch(message);
      expect(e.fieldErrors?.file).toHaveLength(1);
    }
    expect(await stored(t.id)).toEqual(before);
  });

  it("refuses a batch for an integration whose provisioning is off, and roles that may not provision", async () => {
    const before = await stored(t.id);
    const csv = file("action,username\ndisable,alice\n");
    const offError = await refusal(createBatch(t.ctx("admin"), { integrationId: off, file: csv }));
    expect(offError.code).toBe("conflict:provisioning_disabled");
    expect(offError.message).toContain('Provisioning is switched off for "Payroll"');
    for (const role of ["auditor", "viewer", "reviewer"] as const) {
      expect((await refusal(createBatch(t.ctx(role), { integrationId: hr, file: csv }))).kind).toBe("forbidden");
    }
    // Another tenant's integration is not there at all.
    expect((await refusal(createBatch(other.ctx("admin"), { integrationId: hr, file: csv }))).code).toBe("not_found:integration");
    expect(await stored(t.id)).toEqual(before);
  });

  it("reports progress by status as its tasks settle", async () => {
    const csv = `action,username\n${Array.from({ length: 5 }, (_, i) => `disable,user${i}`).join("\n")}\n`;
    const out = await createBatch(t.ctx("admin"), { integrationId: hr, file: file(csv) });
    let batch = await getBatch(t.ctx("operator"), out.id);
    expect(batch.counts.pending).toBe(5);
    expect(batch.progress).toEqual({ done: 0, total: 5, running: true });
    // The provisioning workers settle tasks; here three of them end as a worker would leave them.
    const ids = (await getDb().select({ id: provisioningTasks.id }).from(provisioningTasks).where(eq(provisioningTasks.batchId, out.id)))
      .map((r) => r.id)
      .slice(0, 3);
    await getDb()
      .update(provisioningTasks)
      .set({ status: "success", outcome: "success" })
      .where(and(inArray(provisioningTasks.id, ids.slice(0, 2))));
    await getDb().update(provisioningTasks).set({ status: "failed", outcome: "failed" }).where(eq(provisioningTasks.id, ids[2]));
    batch = await getBatch(t.ctx("operator"), out.id);
    expect(batch.counts).toMatchObject({ pending: 2, success: 2, failed: 1 });
    expect(batch.progress).toEqual({ done: 3, total: 5, running: true });
    // Another tenant does not see it.
    expect((await refusal(getBatch(other.ctx("admin"), out.id))).code).toBe("not_found:provisioning_batch");
  });
});

describe("the batches API", () => {
  const post = (secret: string, body: BodyInit, type?: string) =>
    createRoute(
      new Request("http://localhost/api/v1/provisioning/batches", {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, ...(type ? { "content-type": type } : {}) },
        body,
      }),
      { params: Promise.resolve({}) },
    );

  it("takes a multipart CSV, answers 201 with the refused lines, and reads the batch back", async () => {
    const { secret } = await makeApiKeyCtx(t, ["provisioning:write", "provisioning:read"]);
    const form = new FormData();
    form.set("integrationId", hr);
    form.set("file", new Blob(["action,username,group\ngrant,alice,cn=staff\ngrant,bob,\n"], { type: "text/csv" }), "api.csv");
    const res = await post(secret, form);
    expect(res.status).toBe(201);
    const { data } = await res.json();
    expect(data).toMatchObject({ rows: 2, taskCount: 1, rejected: [{ line: 3 }] });
    const read = await getRoute(
      new Request(`http://localhost/api/v1/provisioning/batches/${data.id}`, { headers: { authorization: `Bearer ${secret}` } }),
      {
        params: Promise.resolve({ id: data.id }),
      },
    );
    expect(read.status).toBe(200);
    expect((await read.json()).data).toMatchObject({ id: data.id, fileName: "api.csv", taskCount: 1, counts: { pending: 1 } });
  });

  it("answers 422 for a binary file, 400 for a body that is not multipart, 403 without the scope", async () => {
    const { secret } = await makeApiKeyCtx(t, ["provisioning:write"]);
    const before = await stored(t.id);
    const form = new FormData();
    form.set("integrationId", hr);
    form.set("file", new Blob([Uint8Array.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31])]), "report.pdf");
    const res = await post(secret, form);
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toMatch(/“report\.pdf” cannot be used: the file is a PDF document/);
    const json = await post(secret, JSON.stringify({ integrationId: hr }), "application/json");
    expect(json.status).toBe(400);
    expect((await json.json()).error.message).toMatch(/multipart\/form-data/);
    const { secret: readOnly } = await makeApiKeyCtx(t, ["provisioning:read"]);
    expect((await post(readOnly, form)).status).toBe(403);
    expect(await stored(t.id)).toEqual(before);
  });
});
