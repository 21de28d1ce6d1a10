/**
 * The first gate: signed-out users go to /login, and each area is kept to the
 * roles that may see it (others get the access-denied page). Not the security
 * boundary — every page, action and route handler checks again, and only they
 * can tell a session ended on the server (see getSessionUser).
 */
import { withAuth } from "next-auth/middleware";
import { NextResponse, type NextRequest } from "next/server";
import { areaFor, isRole, roleCan } from "@/lib/auth/permissions";
import { appOrigin, safeRedirectPath } from "@/lib/auth/redirect-target";

function denied(url: string) {
  return NextResponse.rewrite(new URL("/access-denied", url));
}

/** To /login, carrying the requested page back only when it is a same-origin path. */
function toSignIn(req: NextRequest) {
  const login = new URL("/login", appOrigin(req.nextUrl.origin));
  const target = safeRedirectPath(`${req.nextUrl.pathname}${req.nextUrl.search}`, login.origin);
  if (target !== "/") login.searchParams.set("callbackUrl", target);
  return NextResponse.redirect(login);
}

export default withAuth(
  function middleware(req) {
    const token = req.nextauth.token;
    if (!token) return toSignIn(req);
    const { pathname } = req.nextUrl;
    if (pathname.startsWith("/platform") && !token.isPlatformAdmin) return denied(req.url);
    const area = areaFor(pathname);
    if (area && !(isRole(token.role) && roleCan(token.role, area.permission))) return denied(req.url);
    return NextResponse.next();
  },
  // Signed-out requests reach the function above, which builds the sign-in redirect itself.
  { pages: { signIn: "/login" }, callbacks: { authorized: () => true } },
);

// /invite/<token> is reached signed out by people who have no account yet; the page checks the link itself.
export const config = {
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|login|access-denied|invite/).*)"],
};
