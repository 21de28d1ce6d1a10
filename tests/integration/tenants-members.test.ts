import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { getMembership } from "@/db/queries/members";
import { platformContext } from "@/lib/auth/context";
import { verifyCredentials } from "@/lib/auth/login";
import { addMemberDirectly } from "@/lib/members/internal";
import { changeMemberRole, inviteMember, listMembers, removeMember } from "@/lib/members/service";
import { createTenant, deactivateTenant, toggleTenantActive, updateTenant } from "@/lib/tenants/service";
import { expectAuditRow, makeTenant, platformAdmin, TEST_PASSWORD } from "../helpers/factories";

describe("tenants", () => {
  it("are created, updated, deactivated and toggled by platform admins, each audited with a diff", async () => {
    const slug = `acme-${Date.now()}`;
    const tenant = await createTenant(platformAdmin, { name: "Acme", slug });
    const created = await expectAuditRow(tenant.id, "Tenant", "Create", "Acme");
    expect(created.actorName).toBe("root@platform.test");
    expect(created.ip).toBe("203.0.113.7");
    expect(created.changes).toContainEqual({ field: "slug", before: null, after: slug });

    await updateTenant(platformAdmin, { id: tenant.id, name: "Acme Corp", slug });
    const updated = await expectAuditRow(tenant.id, "Tenant", "Update", "Acme Corp");
    expect(updated.changes).toEqual([{ field: "name", before: "Acme", after: "Acme Corp" }]);

    const off = await deactivateTenant(platformAdmin, { id: tenant.id });
    expect(off.active).toBe(false);
    await expectAuditRow(tenant.id, "Tenant", "Deactivate");
    await expect(deactivateTenant(platformAdmin, { id: tenant.id })).rejects.toMatchObject({ code: "conflict:tenant_inactive" });
    const on = await toggleTenantActive(platformAdmin, { id: tenant.id });
    expect(on.active).toBe(true);
    const toggled = await expectAuditRow(tenant.id, "Tenant", "ToggleActive");
    expect(toggled.changes).toEqual([{ field: "active", before: false, after: true }]);
  });

  it("refuse bad input and duplicate slugs without writing anything", async () => {
    await expect(createTenant(platformAdmin, { name: "X", slug: "Bad Slug!" })).rejects.toMatchObject({
      code: "unprocessable:validation",
      fieldErrors: { name: [expect.any(String)], slug: [expect.any(String)] },
    });
    const t = await makeTenant();
    await expect(createTenant(platformAdmin, { name: "Dup", slug: t.slug })).rejects.toMatchObject({
      code: "conflict:tenant_slug",
    });
  });

  it("cannot be managed by a tenant admin or by a non-platform actor", async () => {
    const t = await makeTenant();
    const notPlatform = {
      ...platformContext({ type: "user", id: t.users.admin.id, name: t.users.admin.email }),
      isPlatformAdmin: false,
    } as never;
    await expect(createTenant(notPlatform, { name: "Nope", slug: "nope-x" })).rejects.toMatchObject({ code: "forbidden:platform" });
    await expect(createTenant(t.ctx("admin") as never, { name: "Nope", slug: "nope-y" })).rejects.toMatchObject({
      code: "forbidden:platform",
    });
  });

  it("deactivated tenants stop their members from acting", async () => {
    const t = await makeTenant();
    await deactivateTenant(platformAdmin, { id: t.id });
    const m = await getMembership(getDb(), t.id, t.users.admin.id);
    expect(m?.tenantActive).toBe(false);
    const claims = await verifyCredentials(t.users.admin.email, TEST_PASSWORD, "192.0.2.1");
    expect(claims.tenantId).toBeNull();
  });
});

describe("members", () => {
  it("are re-roled and removed by tenant admins, each audited", async () => {
    const t = await makeTenant();
    const admin = t.ctx("admin");
    const added = await addMemberDirectly(admin, {
      email: `New.Person@${t.slug}.test`,
      role: "viewer",
      password: "a-long-enough-password",
    });
    expect(added.email).toBe(`new.person@${t.slug}.test`);
    await expectAuditRow(t.id, "Member", "Add", added.email);

    await changeMemberRole(admin, { membershipId: added.id, role: "operator" });
    const changed = await expectAuditRow(t.id, "Member", "ChangeRole", added.email);
    expect(changed.changes).toEqual([{ field: "role", before: "viewer", after: "operator" }]);

    await removeMember(admin, { membershipId: added.id });
    await expectAuditRow(t.id, "Member", "Remove", added.email);
    expect((await listMembers(admin)).map((m) => m.email)).not.toContain(added.email);
  });

  it("keep at least one admin, refuse duplicates and non-admins", async () => {
    const t = await makeTenant();
    const members = await listMembers(t.ctx("admin"));
    const adminMember = members.find((m) => m.role === "admin")!;
    await expect(changeMemberRole(t.ctx("admin"), { membershipId: adminMember.id, role: "viewer" })).rejects.toMatchObject({
      code: "conflict:last_admin",
    });
    await expect(inviteMember(t.ctx("admin"), { email: t.users.viewer.email, role: "viewer" })).rejects.toMatchObject({
      code: "conflict:member",
    });
    await expect(inviteMember(t.ctx("operator"), { email: "x@y.test", role: "admin" })).rejects.toMatchObject({
      code: "forbidden:members:write",
    });
  });

  it("cannot touch another tenant's members", async () => {
    const a = await makeTenant();
    const b = await makeTenant();
    const victim = (await listMembers(b.ctx("admin"))).find((m) => m.role === "viewer")!;
    await expect(removeMember(a.ctx("admin"), { membershipId: victim.id })).rejects.toMatchObject({ code: "not_found:member" });
    await expect(changeMemberRole(a.ctx("admin"), { membershipId: victim.id, role: "admin" })).rejects.toMatchObject({
      code: "not_found:member",
    });
    expect((await listMembers(b.ctx("admin"))).find((m) => m.id === victim.id)?.role).toBe("viewer");
  });
});

describe("sign-in", () => {
  it("accepts the right password and slows repeated failures without locking the account", async () => {
    const t = await makeTenant();
    const ok = await verifyCredentials(t.users.operator.email, TEST_PASSWORD, "192.0.2.50");
    expect(ok).toMatchObject({ email: t.users.operator.email, tenantId: t.id, role: "operator" });
    for (let i = 0; i < 3; i++) {
      await expect(verifyCredentials(t.users.operator.email, "wrong", "192.0.2.50")).rejects.toThrow("Email or password is incorrect.");
    }
    await expect(verifyCredentials(t.users.operator.email, TEST_PASSWORD, "192.0.2.50")).rejects.toThrow(
      /^Too many attempts; try again in 1 second\.$/,
    );
    await expect(verifyCredentials("nobody@nowhere.test", "x", null)).rejects.toThrow("Email or password is incorrect.");
  });
});
