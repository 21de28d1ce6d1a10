import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { getSql } from "@/db/client";
import { listAuditEvents, exportAuditEvents, getAuditEvent, recordAuditEvent } from "@/lib/audit/service";
import { getDb } from "@/db/client";
import { AppError } from "@/lib/errors";
import { makeTenant } from "../helpers/factories";

async function text(stream: ReadableStream<Uint8Array>) {
  return new Response(stream).text();
}

describe("audit log", () => {
  it("lists newest first with filters and keyset pages of the requested size", async () => {
    const t = await makeTenant();
    const ctx = t.ctx("admin");
    for (let i = 0; i < 25; i++) {
      await recordAuditEvent(getDb(), ctx, {
        entityType: i % 2 ? "ConnectionProfile" : "MappingConfig",
        action: i % 3 ? "Update" : "Create",
        entityId: `e${i}`,
        entityName: `Profile ${i}`,
        details: i === 7 ? "Rotated the LDAP bind password" : `change ${i}`,
      });
    }
    const first = await listAuditEvents(ctx, { entityType: "ConnectionProfile", limit: "5" });
    expect(first.events).toHaveLength(5);
    expect(first.events.every((e) => e.entityType === "ConnectionProfile")).toBe(true);
    const times = first.events.map((e) => e.occurredAt.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const seen = new Set(first.events.map((e) => e.id));
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await listAuditEvents(ctx, { entityType: "ConnectionProfile", limit: "5", cursor });
      for (const e of page.events) {
        expect(seen.has(e.id)).toBe(false);
        seen.add(e.id);
      }
      cursor = page.nextCursor;
    }
    expect(seen.size).toBe(12);

    const both = await listAuditEvents(ctx, { entityType: "MappingConfig", action: "Create" });
    expect(both.events.length).toBeGreaterThan(0);
    expect(both.events.every((e) => e.entityType === "MappingConfig" && e.action === "Create")).toBe(true);

    const search = await listAuditEvents(ctx, { q: "bind PASSWORD" });
    expect(search.events.map((e) => e.entityName)).toEqual(["Profile 7"]);

    const byActor = await listAuditEvents(ctx, { actor: t.users.admin.email.toUpperCase() });
    expect(byActor.events.length).toBe(25);
    const future = await listAuditEvents(ctx, { from: "2999-01-01" });
    expect(future.events).toHaveLength(0);
  });

  it("rejects bad filters with a message naming the field", async () => {
    const t = await makeTenant();
    await expect(listAuditEvents(t.ctx("admin"), { action: "Explode" })).rejects.toMatchObject({
      code: "bad_request:filters",
      fieldErrors: { action: [expect.stringContaining("not a tracked action")] },
    });
    await expect(listAuditEvents(t.ctx("admin"), { from: "2026-02-01", to: "2026-01-01" })).rejects.toMatchObject({
      fieldErrors: { to: [expect.any(String)] },
    });
    await expect(listAuditEvents(t.ctx("admin"), { cursor: "garbage" })).rejects.toMatchObject({ code: "bad_request:cursor" });
  });

  it("is for admins and auditors only", async () => {
    const t = await makeTenant();
    await expect(listAuditEvents(t.ctx("auditor"), {})).resolves.toMatchObject({ events: expect.any(Array) });
    for (const role of ["operator", "reviewer", "viewer"] as const) {
      await expect(listAuditEvents(t.ctx(role), {})).rejects.toBeInstanceOf(AppError);
      await expect(listAuditEvents(t.ctx(role), {})).rejects.toMatchObject({ code: "forbidden:audit_log:read" });
    }
  });

  it("never shows another tenant's events", async () => {
    const a = await makeTenant();
    const b = await makeTenant();
    const own = await recordAuditEvent(getDb(), a.ctx("admin"), {
      entityType: "MappingConfig",
      action: "Update",
      entityName: "secret mapping of A",
      details: "x",
    });
    const list = await listAuditEvents(b.ctx("admin"), { q: "secret mapping of A" });
    expect(list.events).toHaveLength(0);
    await expect(getAuditEvent(b.ctx("admin"), own.id)).rejects.toMatchObject({ code: "not_found:audit_event" });
    await expect(getAuditEvent(a.ctx("admin"), own.id)).resolves.toMatchObject({ id: own.id });
  });

  it("is append-only in the database: the app role can neither update, delete nor truncate", async () => {
    const t = await makeTenant();
    const sql = getSql();
    const [row] = await sql`select id from audit_events where tenant_id = ${t.id} limit 1`;
    await expect(sql`update audit_events set details = 'forged' where id = ${row.id}`).rejects.toThrow(/permission denied|append-only/);
    await expect(sql`delete from audit_events where id = ${row.id}`).rejects.toThrow(/permission denied|append-only/);
    await expect(sql`truncate audit_events`).rejects.toThrow(/permission denied|append-only/);
    // Even the owner is stopped by the triggers.
    const owner = postgres(inject("ownerDatabaseUrl"), { max: 1, onnotice: () => {} });
    try {
      await expect(owner`update audit_events set details = 'forged' where id = ${row.id}`).rejects.toThrow(/append-only/);
      await expect(owner`delete from audit_events where id = ${row.id}`).rejects.toThrow(/append-only/);
      await expect(owner`truncate audit_events`).rejects.toThrow(/append-only/);
    } finally {
      await owner.end();
    }
    const [after] = await sql`select details from audit_events where id = ${row.id}`;
    expect(after.details).not.toBe("forged");
  });

  it("exports the filtered set as CSV with formulas neutralised, and as JSON Lines; the export is audited", async () => {
    const t = await makeTenant();
    const ctx = t.ctx("auditor");
    await recordAuditEvent(getDb(), t.ctx("admin"), {
      entityType: "MappingConfig",
      action: "Update",
      entityName: '=HYPERLINK("http://evil")',
      details: "+cmd|' /C calc'!A0",
    });
    const csv = await exportAuditEvents(ctx, { format: "csv", filters: { entityType: "MappingConfig" } });
    expect(csv.contentType).toMatch(/text\/csv/);
    const body = await text(csv.body);
    const lines = body.trim().split(/\r?\n/);
    expect(lines[0]).toContain("time,actor_type,actor,action,entity_type");
    expect(lines).toHaveLength(2);
    expect(body).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(body).toContain("'+cmd");
    expect(body).not.toMatch(/,=HYPERLINK/);

    const jsonl = await exportAuditEvents(ctx, { format: "jsonl", filters: {} });
    const records = (await text(jsonl.body))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records.some((r) => r.entityName === '=HYPERLINK("http://evil")')).toBe(true);
    const exports = await listAuditEvents(ctx, { entityType: "AuditLog", action: "Export" });
    expect(exports.events).toHaveLength(2);
    expect(exports.events[0].actorName).toBe(t.users.auditor.email);
    expect(exports.events[1].details).toContain("entityType=MappingConfig");

    await expect(exportAuditEvents(t.ctx("viewer"), { format: "csv", filters: {} })).rejects.toMatchObject({
      code: "forbidden:audit_log:export",
    });
    await expect(exportAuditEvents(ctx, { format: "xlsx", filters: {} })).rejects.toMatchObject({ code: "bad_request:format" });
  });

  it("exports across many batches without losing or repeating rows", async () => {
    const t = await makeTenant();
    const sql = getSql();
    await sql`
      insert into audit_events (tenant_id, occurred_at, actor_type, actor_name, action, entity_type, entity_name, details)
      select ${t.id}, now() - (g || ' seconds')::interval, 'system', 'bulk', 'Update', 'MappingConfig', 'M' || g, 'd'
      from generate_series(1, 2500) g`;
    const out = await exportAuditEvents(t.ctx("admin"), { format: "jsonl", filters: { actor: "bulk" } });
    const ids = (await text(out.body))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).entityName);
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    expect(ids[0]).toBe("M1");
    expect(ids.at(-1)).toBe("M2500");
  });
});
