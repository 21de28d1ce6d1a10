"use server";

import { revalidatePath } from "next/cache";
import { formDataObject, runAction } from "@/lib/actions";
import { requireContext } from "@/lib/auth/session";
import { changeMemberRole, inviteMember, removeMember, revokeInvitation } from "@/lib/members/service";

export async function inviteMemberAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const ctx = await requireContext("members:write");
    const { invitation, link } = await inviteMember(ctx, formDataObject(formData));
    revalidatePath("/admin/members");
    return { email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt.toISOString(), link };
  }, "Invitation created");
}

export async function revokeInvitationAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const ctx = await requireContext("members:write");
    await revokeInvitation(ctx, formDataObject(formData));
    revalidatePath("/admin/members");
  }, "Invitation revoked");
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
