"use server";

import { redirect } from "next/navigation";
import { formDataObject, runAction, type ActionResult } from "@/lib/actions";
import { signInWithPassword } from "@/lib/auth/login";
import { appOrigin, safeRedirectPath } from "@/lib/auth/redirect-target";
import { currentRequestMeta } from "@/lib/auth/session";
import { writeSessionCookie } from "@/lib/auth/session-cookie";

/** A failed attempt keeps the email (never the password) so the form can show it again. */
export type SignInState = (ActionResult & { email?: string }) | null;

/**
 * The sign-in form posts here, with or without JavaScript: a POST body keeps
 * the password out of the address bar, history and server logs, and the
 * session cookie is the one next-auth would have set.
 */
export async function signInAction(_prev: SignInState, formData: FormData): Promise<SignInState> {
  const input = formDataObject(formData);
  const result = await runAction(async () => {
    const user = await signInWithPassword(input, await currentRequestMeta());
    await writeSessionCookie(user);
  });
  if (!result.ok) return { ...result, email: typeof input.email === "string" ? input.email : undefined };
  redirect(safeRedirectPath(input.callbackUrl, appOrigin()));
}
