/**
 * Tenant lifecycle, for platform administrators. Each change is audited twice,
 * in one transaction: in the tenant it concerns (its admins see what the
 * platform did to it) and in the platform's own log (lib/platform/audit.ts).
 */
import "server-only";
import { forgetVerifiedApiKeys } from "@/lib/api-keys/service";
import { getDb } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import * as queries from "@/db/queries/tenants";
import { authorizePlatform, type PlatformContext, type ServiceContext } from "@/lib/auth/context";
import { recordAuditEvent, type AuditEventInput } from "@/lib/audit/service";
import { recordPlatformAuditEvent } from "@/lib/platform/audit";
import type { Executor } from "@/db/client";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { createTenantSchema, tenantIdSchema, updateTenantSchema } from "./schemas";

function snapshot(t: queries.TenantRow) {
  return { name: t.name, slug: t.slug, active: t.active };
}

type TenantEvent = AuditEventInput<"Tenant"> & { action: "Create" | "Update" | "Deactivate" | "ToggleActive" };

async function recordTenantEvent(tx: Executor, ctx: PlatformContext, tenantId: string, event: TenantEvent) {
  await recordAuditEvent(tx, { tenantId, actor: ctx.actor, request: ctx.request }, event);
  await recordPlatformAuditEvent(tx, ctx, { ...event, entityType: "Tenant", tenantId });
}

/** The tenant the signed-in member is working in: any member may see its name. */
export async function getCurrentTenant(ctx: ServiceContext) {
  const tenant = await queries.getTenant(getDb(), ctx.tenantId);
  if (!tenant) throw new AppError("not_found:tenant", "No such tenant.");
  return { id: tenant.id, name: tenant.name, slug: tenant.slug };
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
      await recordTenantEvent(tx, ctx, tenant.id, {
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
      await recordTenantEvent(tx, ctx, before.id, {
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

/**
 * "Deactivate" and "Activate" are what the Tenants page offers: each refuses a
 * tenant already in that state, so a stale page cannot flip it back. An
 * activation is recorded as ToggleActive, the action name tenant logs have
 * always used for it; toggleTenantActive flips whatever the state is (API and scripts).
 */
async function setActive(ctx: PlatformContext, input: unknown, mode: "Deactivate" | "Activate" | "ToggleActive") {
  authorizePlatform(ctx);
  const { id } = parseInput(tenantIdSchema, input);
  const changed = await getDb().transaction(async (tx) => {
    const before = await queries.lockTenant(tx, id);
    if (!before) throw new AppError("not_found:tenant", "No such tenant.");
    if (mode === "Deactivate" && !before.active) {
      throw new AppError("conflict:tenant_inactive", `Tenant "${before.name}" is already deactivated.`);
    }
    if (mode === "Activate" && before.active) {
      throw new AppError("conflict:tenant_active", `Tenant "${before.name}" is already active.`);
    }
    const active = mode === "Deactivate" ? false : mode === "Activate" ? true : !before.active;
    const after = await queries.updateTenant(tx, id, { active, deactivatedAt: active ? null : new Date() });
    await recordTenantEvent(tx, ctx, id, {
      entityType: "Tenant",
      action: mode === "Activate" ? "ToggleActive" : mode,
      entityId: id,
      entityName: before.name,
      details: active ? `Activated tenant "${before.name}"` : `Deactivated tenant "${before.name}"`,
      before: snapshot(before),
      after: snapshot(after!),
    });
    return after!;
  });
  // The tenant's API keys are verified again on their next request.
  forgetVerifiedApiKeys({ tenantId: id });
  return changed;
}

export function deactivateTenant(ctx: PlatformContext, input: unknown) {
  return setActive(ctx, input, "Deactivate");
}

export function activateTenant(ctx: PlatformContext, input: unknown) {
  return setActive(ctx, input, "Activate");
}

export function toggleTenantActive(ctx: PlatformContext, input: unknown) {
  return setActive(ctx, input, "ToggleActive");
}
