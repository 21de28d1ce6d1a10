/**
 * The next-auth session cookie, written the way next-auth writes it (same
 * name, same JWT encoding, same attributes), for the places that sign a user
 * in or change their session without going through next-auth's routes: the
 * sign-in form's server action, which works without JavaScript, and the
 * tenant switch.
 */
import "server-only";
import { cookies } from "next/headers";
import { encode, type JWT } from "next-auth/jwt";
import { authOptions } from "./options";
import type { AuthenticatedUser } from "./login";

export function sessionCookieName(): string {
  const secure = (process.env.NEXTAUTH_URL ?? "").startsWith("https://");
  return `${secure ? "__Secure-" : ""}next-auth.session-token`;
}

function maxAge(): number {
  return authOptions.session?.maxAge ?? 8 * 60 * 60;
}

export async function writeSessionToken(token: JWT): Promise<void> {
  const name = sessionCookieName();
  const value = await encode({ token, secret: process.env.NEXTAUTH_SECRET!, maxAge: maxAge() });
  (await cookies()).set(name, value, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: name.startsWith("__Secure-"),
    maxAge: maxAge(),
  });
}

/** Signs the user in: the token next-auth would issue after its credentials callback. */
export async function writeSessionCookie(user: AuthenticatedUser): Promise<void> {
  const base: JWT = { name: user.name, email: user.email, picture: null, sub: user.id };
  const token = await authOptions.callbacks!.jwt!({ token: base, user, account: null, trigger: "signIn" });
  await writeSessionToken(token);
}
