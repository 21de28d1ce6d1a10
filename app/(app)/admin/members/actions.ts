"use server";

import { revalidatePath } from "next/cache";
import { formDataObject, runAction } from "@/lib/actions";
import { requireContext } from "@/lib/auth/session";
import { addMember, changeMemberRole, removeMember } from "@/lib/members/service";

export async function addMemberAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const ctx = await requireContext("members:write");
    const m = await addMember(ctx, formDataObject(formData));
    revalidatePath("/admin/members");
    return m.email;
  }, "Member added");
}

export async function changeMemberRoleAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const ctx = await requireContext("members:write");
    await changeMemberRole(ctx, formDataObject(formData));
    revalidatePath("/admin/members");
  }, "Role changed");
}

export async function removeMemberAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const ctx = await requireContext("members:write");
    await removeMember(ctx, formDataObject(formData));
    revalidatePath("/admin/members");
  }, "Member removed");
}
