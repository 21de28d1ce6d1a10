/** The sidebar's entries, filtered by what the current role may see. */
import type { NavItem } from "@/components/shell/app-shell";
import type { ServiceContext } from "@/lib/auth/context";
import type { Permission } from "@/lib/auth/permissions";

const ENTRIES: (NavItem & { permission?: Permission; platform?: true })[] = [
  { href: "/", label: "Overview", icon: "home", section: "Workspace" },
  { href: "/integrations", label: "Integrations", icon: "integrations", section: "Workspace", permission: "integrations:read" },
  { href: "/campaigns", label: "Campaigns", icon: "campaigns", section: "Workspace", permission: "campaigns:read" },
  { href: "/provisioning", label: "Provisioning", icon: "provisioning", section: "Workspace", permission: "provisioning:read" },
  { href: "/pipeline-health", label: "Pipeline Health", icon: "pipeline", section: "Workspace", permission: "syncs:read" },
  { href: "/sync-logs", label: "Sync Logs", icon: "synclogs", section: "Workspace", permission: "syncs:read" },
  { href: "/ledger", label: "Ledger", icon: "ledger", section: "Workspace", permission: "ledger:read" },
  { href: "/admin/audit-log", label: "Audit Log", icon: "audit", section: "Admin", permission: "audit_log:read" },
  { href: "/admin/api-keys", label: "API Keys", icon: "keys", section: "Admin", permission: "api_keys:read" },
  { href: "/admin/members", label: "Members", icon: "members", section: "Admin", permission: "members:read" },
  { href: "/platform/tenants", label: "Tenants", icon: "tenants", section: "Platform", platform: true },
  { href: "/platform/audit-log", label: "Platform Audit Log", icon: "audit", section: "Platform", platform: true },
];

export function navFor(ctx: ServiceContext | null, isPlatformAdmin: boolean): NavItem[] {
  return ENTRIES.filter((e) => (e.platform ? isPlatformAdmin : !e.permission || (ctx?.permissions.has(e.permission) ?? false))).map(
    ({ permission: _p, platform: _pl, ...item }) => item,
  );
}
