/**
 * The security boundary for browser requests. Every server action, route
 * handler and guarded page load calls one of these itself; middleware is only
 * the first gate. The role comes from the database on every call, never from
 * the cookie alone.
 */
import "server-only";
import { cache } from "react";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { getDb } from "@/db/client";
import { getMembership, getUser } from "@/db/queries/members";
import { AppError, isAppError } from "@/lib/errors";
import { requestMetaFrom } from "@/lib/http/request-meta";
import { authorize, platformContext, userContext, type PlatformContext, type ServiceContext } from "./context";
import { authOptions } from "./options";
import { isSessionCurrent } from "./login";
import { isRole, type Permission } from "./permissions";

/**
 * The signed-in user, or null. A JWT stays valid until it expires, so the
 * user's session version is checked against the database on every request:
 * a cookie from before a sign-out, role change or removal counts as signed out.
 * Cached per request, as the layout and the page both ask.
 */
export const getCurrentSession = cache(async () => {
  const session = await getServerSession(authOptions);
  const user = session?.user;
  if (!user?.id) return null;
  if (!(await isSessionCurrent(user.id, user.sessionVersion))) return null;
  return session;
});

export const getSessionUser = cache(async () => (await getCurrentSession())?.user ?? null);

export async function currentRequestMeta() {
  return requestMetaFrom(await headers());
}

/** The signed-in user's context in their current tenant, with the permission checked. */
export async function requireContext(permission?: Permission): Promise<ServiceContext> {
  const user = await getSessionUser();
  if (!user) throw new AppError("unauthorized", "Sign in to continue.");
  if (!user.tenantId) throw new AppError("forbidden:no_tenant", "You are not a member of any active tenant.");
  const membership = await getMembership(getDb(), user.tenantId, user.id);
  if (!membership?.userActive || !isRole(membership.role)) {
    throw new AppError("forbidden:membership", "You are no longer a member of this tenant.");
  }
  if (!membership.tenantActive) throw new AppError("forbidden:tenant_inactive", "This tenant is deactivated.");
  const ctx = userContext({
    tenantId: user.tenantId,
    role: membership.role,
    user: { id: user.id, email: user.email },
    request: await currentRequestMeta(),
  });
  if (permission) authorize(ctx, permission);
  return ctx;
}

/** A platform super-admin's context, checked against the database. */
export async function requirePlatformContext(): Promise<PlatformContext> {
  const session = await getSessionUser();
  if (!session) throw new AppError("unauthorized", "Sign in to continue.");
  const user = await getUser(getDb(), session.id);
  if (!user?.active || !user.isPlatformAdmin) {
    throw new AppError("forbidden:platform", "Only a platform administrator may do this.");
  }
  return platformContext({ type: "user", id: user.id, name: user.email }, await currentRequestMeta());
}

/**
 * How the refusal page names who is asking: the tenant role, "platform admin"
 * for a platform administrator without one, or nothing.
 */
export async function currentRoleLabel(): Promise<string | undefined> {
  const ctx = await requireContext().catch(() => null);
  if (ctx?.role) return ctx.role;
  const session = await getSessionUser();
  return session?.isPlatformAdmin ? "platform admin" : undefined;
}

/**
 * For server components: signed-out users go to the sign-in page, a role
 * that may not see the page gets the framed refusal page (app/(app)/forbidden.tsx, HTTP 403).
 */
export async function requirePageContext(permission: Permission, path: string): Promise<ServiceContext> {
  try {
    return await requireContext(permission);
  } catch (e) {
    if (isAppError(e) && e.kind === "unauthorized") redirect(`/login?callbackUrl=${encodeURIComponent(path)}`);
    if (isAppError(e) && e.kind === "forbidden") forbidden();
    throw e;
  }
}

export async function requirePlatformPageContext(path: string): Promise<PlatformContext> {
  try {
    return await requirePlatformContext();
  } catch (e) {
    if (isAppError(e) && e.kind === "unauthorized") redirect(`/login?callbackUrl=${encodeURIComponent(path)}`);
    if (isAppError(e) && e.kind === "forbidden") forbidden();
    throw e;
  }
}
