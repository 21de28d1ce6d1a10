/**
 * Who is acting, for which tenant, with which permissions. Every service
 * receives one and checks the permission it needs as its first line.
 */
import { AppError } from "@/lib/errors";
import { ALL_PERMISSIONS, PERMISSIONS, type Permission, type Role } from "./permissions";

export type Actor =
  | { type: "user"; id: string; name: string }
  | { type: "api_key"; id: string; name: string }
  | { type: "system"; id?: undefined; name: string };

export type RequestMeta = { ip?: string | null; userAgent?: string | null; requestId?: string | null };

export type ServiceContext = {
  tenantId: string;
  role: Role | null;
  permissions: ReadonlySet<Permission>;
  actor: Actor;
  request: RequestMeta;
};

/** A platform super-admin acting across tenants (tenant lifecycle, first members). */
export type PlatformContext = {
  actor: Actor;
  request: RequestMeta;
  isPlatformAdmin: true;
};

export function permissionsForRole(role: Role): ReadonlySet<Permission> {
  return new Set(ALL_PERMISSIONS.filter((p) => (PERMISSIONS[p] as readonly Role[]).includes(role)));
}

export function userContext(input: {
  tenantId: string;
  role: Role;
  user: { id: string; email: string };
  request?: RequestMeta;
}): ServiceContext {
  return {
    tenantId: input.tenantId,
    role: input.role,
    permissions: permissionsForRole(input.role),
    actor: { type: "user", id: input.user.id, name: input.user.email },
    request: input.request ?? {},
  };
}

export function apiKeyContext(input: {
  tenantId: string;
  key: { id: string; name: string; scopes: readonly string[] };
  request?: RequestMeta;
}): ServiceContext {
  const granted = new Set(ALL_PERMISSIONS.filter((p) => input.key.scopes.includes(p)));
  return {
    tenantId: input.tenantId,
    role: null,
    permissions: granted,
    actor: { type: "api_key", id: input.key.id, name: input.key.name },
    request: input.request ?? {},
  };
}

/** For command-line tools and background work: all tenant permissions. */
export function systemContext(tenantId: string, name = "system", request: RequestMeta = {}): ServiceContext {
  return { tenantId, role: null, permissions: new Set(ALL_PERMISSIONS), actor: { type: "system", name }, request };
}

export function platformContext(actor: Actor, request: RequestMeta = {}): PlatformContext {
  return { actor, request, isPlatformAdmin: true };
}

export function can(ctx: ServiceContext, permission: Permission): boolean {
  return ctx.permissions.has(permission);
}

/** Throws forbidden unless the context holds the permission. */
export function authorize(ctx: ServiceContext, permission: Permission): void {
  if (!ctx.permissions.has(permission)) {
    const who = ctx.actor.type === "api_key" ? "This API key lacks the scope" : "Your role does not have the permission";
    throw new AppError(`forbidden:${permission}`, `${who} "${permission}".`);
  }
}

export function authorizePlatform(ctx: PlatformContext | ServiceContext): asserts ctx is PlatformContext {
  if (!("isPlatformAdmin" in ctx) || ctx.isPlatformAdmin !== true) {
    throw new AppError("forbidden:platform", "Only a platform administrator may do this.");
  }
}

/** A platform administrator acting inside one tenant, e.g. to add its first members. */
export function actingInTenant(ctx: PlatformContext, tenantId: string): ServiceContext {
  authorizePlatform(ctx);
  return { tenantId, role: null, permissions: new Set(ALL_PERMISSIONS), actor: ctx.actor, request: ctx.request };
}
