"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { SessionProvider } from "next-auth/react";

import { LedgerIntegrityBanner } from "@/components/ledger/integrity-banner";
import { Brand } from "./logo";
import { MobileNav } from "./mobile-nav";
import { SidebarNav } from "./sidebar-nav";
import { TenantSwitcher } from "./tenant-switcher";
import { ThemeToggle } from "./theme-toggle";
import { UserMenu } from "./user-menu";
import type { AppShellProps } from "./types";

export type { AppShellProps, NavItem, NavIconName, NavSection, ShellTenant, ShellUser } from "./types";

/**
 * Authenticated application frame: fixed left sidebar (a Sheet on small screens) and a top bar with
 * the tenant switcher, theme toggle and user menu. Receives only serialisable props, so it can be
 * rendered directly from a server layout.
 */
export function AppShell({
  user,
  role,
  tenants,
  currentTenantId,
  nav,
  session,
  signOutHref = "/api/auth/signout",
  children,
  ledgerAlert,
}: AppShellProps) {
  const currentTenant = tenants.find((t) => t.id === currentTenantId);
  // The Ledger page shows the same alert in its own place.
  const pathname = usePathname();
  const showLedgerAlert = ledgerAlert && !pathname?.startsWith("/ledger");

  return (
    // The layout renders afresh on every navigation, so the session need not be polled.
    <SessionProvider session={session} refetchOnWindowFocus={false}>
      <div data-slot="app-shell" className="min-h-svh bg-background">
        <a
          href="#main-content"
          className="sr-only z-50 rounded-md bg-background px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:ring-[3px] focus:ring-ring/50"
        >
          Skip to content
        </a>

        <aside
          data-slot="app-sidebar"
          className="fixed inset-y-0 left-0 z-30 hidden w-60 flex-col border-r border-sidebar-border bg-sidebar text-sidebar-foreground md:flex"
        >
          <div className="flex h-14 shrink-0 items-center border-b border-sidebar-border px-4">
            <Link href="/" className="rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-sidebar-ring/50">
              <Brand />
            </Link>
          </div>
          <div className="flex-1 overflow-y-auto px-3 py-4">
            <SidebarNav items={nav} />
          </div>
          {currentTenant ? (
            <div className="shrink-0 border-t border-sidebar-border px-4 py-3 text-xs text-muted-foreground">
              <div className="truncate font-medium text-sidebar-foreground">{currentTenant.name}</div>
              <div className="truncate font-mono text-[11px]">{currentTenant.slug}</div>
            </div>
          ) : null}
        </aside>

        <div className="flex min-h-svh min-w-0 flex-col md:pl-60">
          <header
            data-slot="app-topbar"
            className="sticky top-0 z-20 flex h-14 shrink-0 items-center gap-2 border-b bg-background/95 px-3 backdrop-blur supports-[backdrop-filter]:bg-background/75 sm:px-4 lg:px-6"
          >
            <MobileNav items={nav} />
            <TenantSwitcher tenants={tenants} currentTenantId={currentTenantId} role={role} className="min-w-0 flex-1" />
            <div className="ml-auto flex shrink-0 items-center gap-1">
              <ThemeToggle />
              <UserMenu user={user} signOutHref={signOutHref} />
            </div>
          </header>

          <main id="main-content" tabIndex={-1} className="flex-1 px-4 py-6 outline-none sm:px-6 lg:px-8">
            <div className="mx-auto grid w-full max-w-7xl gap-6">
              {showLedgerAlert ? <LedgerIntegrityBanner alert={ledgerAlert!} /> : null}
              <div>{children}</div>
            </div>
          </main>
        </div>
      </div>
    </SessionProvider>
  );
}
