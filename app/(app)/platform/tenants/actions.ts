"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formDataObject, runAction } from "@/lib/actions";
import { actingInTenant } from "@/lib/auth/context";
import { requirePlatformContext } from "@/lib/auth/session";
import { addMember } from "@/lib/members/service";
import { createTenant, deactivateTenant, toggleTenantActive, updateTenant } from "@/lib/tenants/service";
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

export async function toggleTenantActiveAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const t = await toggleTenantActive(await requirePlatformContext(), formDataObject(formData));
    done();
    return t.active;
  }, "Tenant status changed");
}

export async function addTenantMemberAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const ctx = await requirePlatformContext();
    const { tenantId, ...member } = formDataObject(formData);
    const { id } = parseInput(z.object({ id: z.uuid("is not a valid tenant id") }), { id: tenantId });
    await addMember(actingInTenant(ctx, id), member);
    done();
  }, "Member added");
}
