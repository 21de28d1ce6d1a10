/**
 * The first gate: signed-out users go to /login, and each area is kept to the
 * roles that may see it (others get the access-denied page). Not the security
 * boundary — every page, action and route handler checks again.
 */
import { withAuth } from "next-auth/middleware";
import { NextResponse } from "next/server";
import { areaFor, isRole, roleCan } from "@/lib/auth/permissions";

function denied(url: string) {
  return NextResponse.rewrite(new URL("/access-denied", url));
}

export default withAuth(
  function middleware(req) {
    const token = req.nextauth.token;
    const { pathname } = req.nextUrl;
    if (pathname.startsWith("/platform") && !token?.isPlatformAdmin) return denied(req.url);
    const area = areaFor(pathname);
    if (area && !(isRole(token?.role) && roleCan(token.role, area.permission))) return denied(req.url);
    return NextResponse.next();
  },
  { pages: { signIn: "/login" } },
);

export const config = {
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|login|access-denied).*)"],
};
