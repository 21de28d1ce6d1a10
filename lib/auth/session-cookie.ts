/**
 * The next-auth session cookie, written the way next-auth writes it (same
 * name, same JWT encoding, same attributes), for the places that change a
 * session without going through next-auth's routes.
 */
import "server-only";
import { cookies } from "next/headers";
import { encode, type JWT } from "next-auth/jwt";
import { authOptions } from "./options";

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
