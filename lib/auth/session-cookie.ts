/**
 * Signs a user in from the sign-in form's server action, which works without
 * JavaScript and so cannot go through next-auth's client: the token is the one
 * next-auth's own `jwt` callback issues, encoded with next-auth's encoder and
 * written under the cookie declared in the auth options.
 */
import "server-only";
import { cookies } from "next/headers";
import { encode, type JWT } from "next-auth/jwt";
import { getConfig } from "@/lib/config";
import { authOptions, sessionCookie } from "./options";
import type { AuthenticatedUser } from "./login";

/** Signs the user in: the token next-auth would issue after its credentials callback. */
export async function writeSessionCookie(user: AuthenticatedUser): Promise<void> {
  const base: JWT = { name: user.name, email: user.email, picture: null, sub: user.id };
  const token = await authOptions.callbacks!.jwt!({ token: base, user, account: null, trigger: "signIn" });
  const value = await encode({ token, secret: getConfig().NEXTAUTH_SECRET!, maxAge: sessionCookie.maxAge });
  (await cookies()).set(sessionCookie.name, value, { ...sessionCookie.options, maxAge: sessionCookie.maxAge });
}
