/**
 * Every request first gets its security headers: a Content-Security-Policy
 * with a fresh script nonce (passed to Next in the request's own CSP header,
 * from which Next takes the nonce for its scripts; API routes get one that lets
 * nothing run), nosniff, a referrer policy, and HSTS when the request came over
 * https (lib/http/security-headers.ts).
 *
 * Then the first gate: signed-out users go to /login, and each area is kept to
 * the roles that may see it (others get the access-denied page). Not the
 * security boundary — every page, action and route handler checks again, and
 * only they can tell a session ended on the server (see getSessionUser).
 */
import { withAuth, type NextRequestWithAuth } from "next-auth/middleware";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { areaFor, isRole, roleCan } from "@/lib/auth/permissions";
import { appOrigin, safeRedirectPath } from "@/lib/auth/redirect-target";
import { applySecurityHeaders, securityHeadersFor, type SecurityHeaders } from "@/lib/http/security-headers";

/** The request headers Next renders with: the caller's, plus the policy that carries this response's nonce. */
const forwarded = new WeakMap<NextRequest, Headers>();

function pass(req: NextRequest) {
  return NextResponse.next({ request: { headers: forwarded.get(req) } });
}

function denied(req: NextRequest) {
  return NextResponse.rewrite(new URL("/access-denied", req.url), { request: { headers: forwarded.get(req) } });
}

/** To /login, carrying the requested page back only when it is a same-origin path. */
function toSignIn(req: NextRequest) {
  const login = new URL("/login", appOrigin(req.nextUrl.origin));
  const target = safeRedirectPath(`${req.nextUrl.pathname}${req.nextUrl.search}`, login.origin);
  if (target !== "/") login.searchParams.set("callbackUrl", target);
  return NextResponse.redirect(login);
}

const gate = withAuth(
  function gate(req) {
    const token = req.nextauth.token;
    if (!token) return toSignIn(req);
    const { pathname } = req.nextUrl;
    if (pathname.startsWith("/platform") && !token.isPlatformAdmin) return denied(req);
    const area = areaFor(pathname);
    if (area && !(isRole(token.role) && roleCan(token.role, area.permission))) return denied(req);
    return pass(req);
  },
  // Signed-out requests reach the function above, which builds the sign-in redirect itself.
  { pages: { signIn: "/login" }, callbacks: { authorized: () => true } },
);

/**
 * Pages anyone may open, and routes that answer for themselves (API keys, sessions, signed links).
 * /invite/<token> is reached signed out by people who have no account yet; the page checks the link itself.
 */
function ungated(pathname: string) {
  return (
    pathname === "/login" ||
    pathname === "/access-denied" ||
    pathname === "/icon.svg" ||
    pathname.startsWith("/api/") ||
    pathname.startsWith("/invite/")
  );
}

export default async function middleware(req: NextRequest, event: NextFetchEvent) {
  const security: SecurityHeaders = securityHeadersFor(req.headers, req.nextUrl.pathname);
  const headers = new Headers(req.headers);
  headers.set("content-security-policy", security.csp);
  headers.set("x-nonce", security.nonce);
  forwarded.set(req, headers);
  const response = ungated(req.nextUrl.pathname) ? pass(req) : ((await gate(req as NextRequestWithAuth, event)) ?? pass(req));
  applySecurityHeaders(response.headers, security);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
