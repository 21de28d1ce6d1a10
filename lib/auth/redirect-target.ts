/**
 * Where a user may be sent after signing in. Client-safe (no server imports):
 * the login page, next-auth's redirect callback and middleware all read a
 * target from a query string a stranger can write, so each passes it through
 * here. Browsers read `/\evil.example` and `/<TAB>/evil` as links to another
 * host, so backslashes and control characters are refused outright rather than
 * normalised, and whatever survives must still resolve to the app's own origin.
 * lib/config imports nothing but zod, so this stays safe for middleware (Edge).
 */
import { getConfig } from "@/lib/config";

export const DEFAULT_REDIRECT = "/";

/** The app's own origin (NEXTAUTH_URL on the server), which targets must resolve to. */
export function appOrigin(fallback = "http://localhost"): string {
  try {
    return new URL(getConfig().NEXTAUTH_URL ?? "").origin;
  } catch {
    return fallback;
  }
}

// Control characters (C0, DEL, C1) and the backslash, raw or percent-encoded: a
// double-encoded target is decoded once more by some clients and proxies.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\\]|%(?:[01][0-9a-f]|7f|5c)/i;

/** A same-origin path (with query and fragment) for `target`, or "/" for anything else. */
export function safeRedirectPath(target: unknown, origin: string): string {
  if (typeof target !== "string" || target.length === 0 || target.length > 2048) return DEFAULT_REDIRECT;
  if (FORBIDDEN.test(target)) return DEFAULT_REDIRECT;
  let base: URL;
  let resolved: URL;
  try {
    base = new URL(origin);
    resolved = new URL(target, base);
  } catch {
    return DEFAULT_REDIRECT;
  }
  if (resolved.origin !== base.origin) return DEFAULT_REDIRECT;
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  // `/.//evil.example` resolves to the path `//evil.example`, which a Location
  // header turns back into another host.
  if (!path.startsWith("/") || path.startsWith("//")) return DEFAULT_REDIRECT;
  return path;
}
