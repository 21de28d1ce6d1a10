/**
 * The platform's own audit log: tenant changes are recorded there and in the
 * tenant's log; platform administrators granted and removed are recorded;
 * only platform administrators read it; the last one cannot be removed.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { getUser } from "@/db/queries/members";
import { platformAuditEvents } from "@/db/schema";
import { platformContext } from "@/lib/auth/context";
import { grantPlatformAdmin, listPlatformAdmins, removePlatformAdmin } from "@/lib/platform/admins";
import { listPlatformAuditEvents } from "@/lib/platform/audit";
import { activateTenant, createTenant, deactivateTenant, updateTenant } from "@/lib/tenants/service";
import { expectAuditRow, makeTenant, platformAdmin } from "../helpers/factories";

async function platformRows(entityId: string) {
  return getDb()
    .select()
    .from(platformAuditEvents)
    .where(eq(platformAuditEvents.entityId, entityId))
    .orderBy(platformAuditEvents.occurredAt);
}

describe("platform audit log", () => {
  it("records every tenant change in the platform log and still in the tenant's own log", async () => {
    const slug = `plat-${Date.now()}`;
    const tenant = await createTenant(platformAdmin, { name: "Plat", slug });
    await updateTenant(platformAdmin, { id: tenant.id, name: "Plat Corp", slug });
    await deactivateTenant(platformAdmin, { id: tenant.id });
    await activateTenant(platformAdmin, { id: tenant.id });
    await expect(activateTenant(platformAdmin, { id: tenant.id })).rejects.toMatchObject({ code: "conflict:tenant_active" });

    const rows = await platformRows(tenant.id);
    expect(rows.map((r) => r.action)).toEqual(["Create", "Update", "Deactivate", "ToggleActive"]);
    expect(rows.every((r) => r.tenantId === tenant.id && r.entityType === "Tenant" && r.actorName === "root@platform.test")).toBe(true);
    expect(rows[0].ip).toBe("203.0.113.7");
    expect(rows[1].changes).toEqual([{ field: "name", before: "Plat", after: "Plat Corp" }]);
    expect(rows[3].details).toBe('Activated tenant "Plat Corp"');
    // The tenant's admins still see what the platform did to their tenant.
    for (const action of ["Create", "Update", "Deactivate", "ToggleActive"]) await expectAuditRow(tenant.id, "Tenant", action);
  });

  it("lists newest first with action and date filters and keyset pages, for platform administrators only", async () => {
    const t = await makeTenant();
    await updateTenant(platformAdmin, { id: t.id, name: `Renamed ${t.slug}`, slug: t.slug });
    await deactivateTenant(platformAdmin, { id: t.id });

    const first = await listPlatformAuditEvents(platformAdmin, { limit: 2 });
    expect(first.events).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const times = first.events.map((e) => e.occurredAt.getTime());
    expect(times[0]).toBeGreaterThanOrEqual(times[1]);
    const second = await listPlatformAuditEvents(platformAdmin, { limit: 2, cursor: first.nextCursor });
    expect(second.events.map((e) => e.id)).not.toContain(first.events[0].id);
    expect(second.events.map((e) => e.id)).not.toContain(first.events[1].id);

    const deactivations = await listPlatformAuditEvents(platformAdmin, { action: "Deactivate", limit: 500 });
    expect(deactivations.events.every((e) => e.action === "Deactivate")).toBe(true);
    expect(deactivations.events.some((e) => e.tenantId === t.id)).toBe(true);

    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await listPlatformAuditEvents(platformAdmin, { from: tomorrow })).events).toEqual([]);
    await expect(listPlatformAuditEvents(platformAdmin, { from: "2026-11-30", to: "2026-11-01" })).rejects.toMatchObject({
      fieldErrors: { to: ["must not be before the start date"] },
    });
    await expect(listPlatformAuditEvents(platformAdmin, { action: "Delete" })).rejects.toMatchObject({ code: "bad_request:filters" });

    // A tenant admin, or any tenant role, may not read it.
    for (const role of ["admin", "auditor"] as const) {
      await expect(listPlatformAuditEvents(t.ctx(role), {})).rejects.toMatchObject({ code: "forbidden:platform" });
    }
  });

  it("grants and removes platform administrators by email, audited, and never removes the last one", async () => {
    const t = await makeTenant();
    const ana = t.users.operator;
    const bo = t.users.viewer;
    await expect(grantPlatformAdmin(t.ctx("admin") as never, { email: ana.email })).rejects.toMatchObject({ code: "forbidden:platform" });
    await expect(grantPlatformAdmin(platformAdmin, { email: `nobody-${t.slug}@example.test` })).rejects.toMatchObject({
      code: "not_found:user",
      fieldErrors: { email: ["is not the email of an existing user"] },
    });

    await grantPlatformAdmin(platformAdmin, { email: ana.email.toUpperCase() });
    expect((await getUser(getDb(), ana.id))?.isPlatformAdmin).toBe(true);
    await expect(grantPlatformAdmin(platformAdmin, { email: ana.email })).rejects.toMatchObject({
      code: "conflict:already_platform_admin",
    });
    const [grant] = await platformRows(ana.id);
    expect(grant).toMatchObject({
      action: "Grant",
      entityType: "PlatformAdmin",
      entityName: ana.email,
      actorName: "root@platform.test",
      tenantId: null,
    });

    // Leave Ana as the only platform administrator.
    for (const other of await listPlatformAdmins(platformAdmin)) {
      if (other.id !== ana.id) await removePlatformAdmin(platformAdmin, { email: other.email });
    }
    const asAna = platformContext({ type: "user", id: ana.id, name: ana.email });
    await expect(removePlatformAdmin(asAna, { email: ana.email })).rejects.toMatchObject({
      code: "conflict:last_platform_admin",
      message: expect.stringContaining("You are the last platform administrator"),
    });
    expect((await getUser(getDb(), ana.id))?.isPlatformAdmin).toBe(true);

    await grantPlatformAdmin(asAna, { email: bo.email });
    await removePlatformAdmin(asAna, { email: ana.email });
    expect((await getUser(getDb(), ana.id))?.isPlatformAdmin).toBe(false);
    const actions = (await platformRows(ana.id)).map((r) => `${r.action} by ${r.actorName}`);
    expect(actions).toEqual([`Grant by root@platform.test`, `Remove by ${ana.email}`]);
    await expect(removePlatformAdmin(platformAdmin, { email: ana.email })).rejects.toMatchObject({ code: "not_found:platform_admin" });
  });
});
