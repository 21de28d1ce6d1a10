"use server";

import { redirect } from "next/navigation";
import { formDataObject, runAction, type ActionResult } from "@/lib/actions";
import { currentRequestMeta, getSessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { acceptInvitation, createAccountFromInvitation } from "@/lib/members/invitations";

/**
 * The signed-in invitee accepts: the membership is created and becomes the tenant their sessions
 * open in. The form then moves the current session there through next-auth's session update.
 */
export async function acceptInvitationAction(
  _prev: ActionResult<{ tenantId: string }> | null,
  formData: FormData,
): Promise<ActionResult<{ tenantId: string }>> {
  return runAction(async () => {
    const user = await getSessionUser();
    if (!user) throw new AppError("unauthorized", "Sign in to accept this invitation.");
    const joined = await acceptInvitation({ id: user.id, email: user.email }, formDataObject(formData), await currentRequestMeta());
    return { tenantId: joined.tenantId };
  }, "You have joined. Choose the tenant from the menu at the top to open it.");
}

/** An invitee with no account sets a password; then they sign in as anyone else does. */
export async function createAccountAction(_prev: ActionResult | null, formData: FormData): Promise<ActionResult> {
  const result = await runAction(async () => {
    if (await getSessionUser()) throw new AppError("conflict:signed_in", "Sign out first: you are signed in as someone else.");
    await createAccountFromInvitation(formDataObject(formData), await currentRequestMeta());
  });
  if (!result.ok) return result;
  redirect("/login?joined=1");
}
