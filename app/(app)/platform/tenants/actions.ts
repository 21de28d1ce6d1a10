"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formDataObject, runAction } from "@/lib/actions";
import { actingInTenant } from "@/lib/auth/context";
import { requirePlatformContext } from "@/lib/auth/session";
import { inviteMember } from "@/lib/members/service";
import { grantPlatformAdmin, removePlatformAdmin } from "@/lib/platform/admins";
import { activateTenant, createTenant, deactivateTenant, updateTenant } from "@/lib/tenants/service";
import { parseInput } from "@/lib/validation";

const done = () => revalidatePath("/platform/tenants");

export async function createTenantAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const t = await createTenant(await requirePlatformContext(), formDataObject(formData));
    done();
    return t.slug;
  }, "Tenant created");
}

export async function updateTenantAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    await updateTenant(await requirePlatformContext(), formDataObject(formData));
    done();
  }, "Tenant updated");
}

export async function deactivateTenantAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    await deactivateTenant(await requirePlatformContext(), formDataObject(formData));
    done();
  }, "Tenant deactivated");
}

export async function activateTenantAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    await activateTenant(await requirePlatformContext(), formDataObject(formData));
    done();
  }, "Tenant activated");
}

export async function grantPlatformAdminAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const granted = await grantPlatformAdmin(await requirePlatformContext(), formDataObject(formData));
    done();
    return granted.email;
  }, "Platform administrator added");
}

export async function removePlatformAdminAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const removed = await removePlatformAdmin(await requirePlatformContext(), formDataObject(formData));
    done();
    return removed.email;
  }, "Platform administrator removed");
}

/** Platform admins invite too: nobody joins a tenant without accepting. */
export async function inviteTenantMemberAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const ctx = await requirePlatformContext();
    const { tenantId, ...member } = formDataObject(formData);
    const { id } = parseInput(z.object({ id: z.uuid("is not a valid tenant id") }), { id: tenantId });
    const { invitation, link } = await inviteMember(actingInTenant(ctx, id), member);
    return { email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt.toISOString(), link };
  }, "Invitation created");
}
