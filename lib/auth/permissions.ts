/**
 * The one permissions table: which tenant roles may do what. Client-safe (no
 * server imports) so the UI can hide what a role cannot do — but the UI and
 * middleware are only conveniences; services check again.
 */
import { ROLES, type Role } from "@/lib/domain/enums";

export { ROLES, type Role };

export const PERMISSIONS = {
  "integrations:read": ["admin", "operator", "auditor", "viewer"],
  "integrations:write": ["admin", "operator"],
  "syncs:read": ["admin", "operator", "auditor", "viewer"],
  "syncs:run": ["admin", "operator"],
  "syncs:release": ["admin"],
  "evidence:read": ["admin", "operator", "auditor"],
  "evidence:write": ["admin", "operator"],
  "campaigns:read": ["admin", "operator", "auditor", "reviewer"],
  "campaigns:write": ["admin", "auditor"],
  /** Deciding review items: a member decides only the items assigned to them; an API key with this scope, any item. */
  "campaigns:decide": ["admin", "reviewer"],
  "provisioning:read": ["admin", "operator", "auditor"],
  "provisioning:write": ["admin", "operator"],
  "ledger:read": ["admin", "auditor"],
  "audit_log:read": ["admin", "auditor"],
  "audit_log:export": ["admin", "auditor"],
  "api_keys:read": ["admin"],
  "api_keys:write": ["admin"],
  "members:read": ["admin"],
  "members:write": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

/** Scopes an API key may carry: every permission except managing keys and members. */
export const API_KEY_SCOPES = ALL_PERMISSIONS.filter((p) => !p.startsWith("api_keys:") && !p.startsWith("members:")) as Permission[];

export function roleCan(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/**
 * App areas (top-level path prefixes) and the permission needed to see them.
 * Middleware uses this as the first gate; pages check again.
 */
export const AREAS = [
  { prefix: "/integrations", permission: "integrations:read", label: "Integrations" },
  { prefix: "/campaigns", permission: "campaigns:read", label: "Campaigns" },
  { prefix: "/provisioning", permission: "provisioning:read", label: "Provisioning" },
  { prefix: "/pipeline-health", permission: "syncs:read", label: "Pipeline Health" },
  { prefix: "/syncs", permission: "syncs:read", label: "Syncs" },
  { prefix: "/sync-logs", permission: "syncs:read", label: "Sync Logs" },
  { prefix: "/ledger", permission: "ledger:read", label: "Ledger" },
  { prefix: "/admin/audit-log", permission: "audit_log:read", label: "Audit Log" },
  { prefix: "/admin/api-keys", permission: "api_keys:read", label: "API Keys" },
  { prefix: "/admin/members", permission: "members:read", label: "Members" },
] as const satisfies readonly { prefix: string; permission: Permission; label: string }[];

export function areaFor(pathname: string) {
  return AREAS.find((a) => pathname === a.prefix || pathname.startsWith(`${a.prefix}/`));
}
