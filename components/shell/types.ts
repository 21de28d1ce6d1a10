import type { LedgerIntegrityAlert } from "@/lib/ledger/service";
import type { Session } from "next-auth";
import type { ReactNode } from "react";

export type NavIconName =
  | "integrations"
  | "campaigns"
  | "provisioning"
  | "pipeline"
  | "synclogs"
  | "ledger"
  | "audit"
  | "keys"
  | "members"
  | "tenants"
  | "home";

export type NavSection = "Workspace" | "Admin" | "Platform";

export type NavItem = {
  href: string;
  label: string;
  icon: NavIconName;
  section: NavSection;
};

export type ShellUser = { name: string; email: string };

export type ShellTenant = { id: string; name: string; slug: string };

export type AppShellProps = {
  user: ShellUser;
  /** Role of the user in the current tenant, e.g. "admin". */
  role: string;
  tenants: ShellTenant[];
  currentTenantId: string;
  nav: NavItem[];
  /** The next-auth session, handed to the client so the tenant switcher can update it. */
  session: Session;
  /** Defaults to "/api/auth/signout". */
  signOutHref?: string;
  children: ReactNode;
  /** Shown above every page to those who may read the ledger, while its signing is stopped. */
  ledgerAlert?: LedgerIntegrityAlert | null;
};

/** Order in which nav sections are rendered. */
export const NAV_SECTIONS: readonly NavSection[] = ["Workspace", "Admin", "Platform"];
