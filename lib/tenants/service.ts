/**
 * Tenant lifecycle, for platform administrators (each change is audited in the
 * tenant it concerns), and the caller's own tenant for its members.
 */
import "server-only";
import { getDb } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import * as queries from "@/db/queries/tenants";
import { authorizePlatform, type PlatformContext, type ServiceContext } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { createTenantSchema, tenantIdSchema, updateTenantSchema } from "./schemas";

function snapshot(t: queries.TenantRow) {
  return { name: t.name, slug: t.slug, active: t.active };
}

/** The tenant the caller is acting in: a context exists only for its members, and every member may see its name. */
export async function getCurrentTenant(ctx: ServiceContext) {
  return queries.getTenant(getDb(), ctx.tenantId);
}

export async function listTenants(ctx: PlatformContext) {
  authorizePlatform(ctx);
  return queries.listTenants(getDb());
}

export async function createTenant(ctx: PlatformContext, input: unknown) {
  authorizePlatform(ctx);
  const data = parseInput(createTenantSchema, input);
  try {
    return await getDb().transaction(async (tx) => {
      const tenant = await queries.insertTenant(tx, data);
      await recordAuditEvent(tx, { tenantId: tenant.id, actor: ctx.actor, request: ctx.request }, {
        entityType: "Tenant",
        action: "Create",
        entityId: tenant.id,
        entityName: tenant.name,
        details: `Created tenant "${tenant.name}" (${tenant.slug})`,
        after: snapshot(tenant),
      });
      return tenant;
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new AppError("conflict:tenant_slug", `The slug "${data.slug}" is already taken.`, {
        slug: ["is already taken"],
      });
    }
    throw e;
  }
}

export async function updateTenant(ctx: PlatformContext, input: unknown) {
  authorizePlatform(ctx);
  const data = parseInput(updateTenantSchema, input);
  try {
    return await getDb().transaction(async (tx) => {
      const before = await queries.lockTenant(tx, data.id);
      if (!before) throw new AppError("not_found:tenant", "No such tenant.");
      const after = await queries.updateTenant(tx, data.id, { name: data.name, slug: data.slug });
      await recordAuditEvent(tx, { tenantId: before.id, actor: ctx.actor, request: ctx.request }, {
        entityType: "Tenant",
        action: "Update",
        entityId: before.id,
        entityName: after!.name,
        details: `Updated tenant "${after!.name}"`,
        before: snapshot(before),
        after: snapshot(after!),
      });
      return after!;
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new AppError("conflict:tenant_slug", `The slug "${data.slug}" is already taken.`, {
        slug: ["is already taken"],
      });
    }
    throw e;
  }
}

async function setActive(ctx: PlatformContext, input: unknown, mode: "Deactivate" | "ToggleActive") {
  authorizePlatform(ctx);
  const { id } = parseInput(tenantIdSchema, input);
  return getDb().transaction(async (tx) => {
    const before = await queries.lockTenant(tx, id);
    if (!before) throw new AppError("not_found:tenant", "No such tenant.");
    if (mode === "Deactivate" && !before.active) {
      throw new AppError("conflict:tenant_inactive", `Tenant "${before.name}" is already deactivated.`);
    }
    const active = mode === "Deactivate" ? false : !before.active;
    const after = await queries.updateTenant(tx, id, { active, deactivatedAt: active ? null : new Date() });
    await recordAuditEvent(tx, { tenantId: id, actor: ctx.actor, request: ctx.request }, {
      entityType: "Tenant",
      action: mode,
      entityId: id,
      entityName: before.name,
      details: active ? `Activated tenant "${before.name}"` : `Deactivated tenant "${before.name}"`,
      before: snapshot(before),
      after: snapshot(after!),
    });
    return after!;
  });
}

export function deactivateTenant(ctx: PlatformContext, input: unknown) {
  return setActive(ctx, input, "Deactivate");
}

export function toggleTenantActive(ctx: PlatformContext, input: unknown) {
  return setActive(ctx, input, "ToggleActive");
}
