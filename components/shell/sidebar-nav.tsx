"use client";

import * as React from "react";
import Link from "next/link";
import { usePathname } from "next/navigation";

import { cn } from "@/lib/utils";
import { NAV_ICONS } from "./nav-icons";
import { NAV_SECTIONS, type NavItem } from "./types";

function matches(pathname: string, href: string): boolean {
  const path = href.split(/[?#]/)[0] || "/";
  if (path === "/") return pathname === "/";
  return pathname === path || pathname.startsWith(path.endsWith("/") ? path : `${path}/`);
}

/** The nav item whose href is the longest prefix of the current path (so /admin/keys beats /admin). */
export function findActiveHref(pathname: string, items: NavItem[]): string | null {
  let best: string | null = null;
  for (const item of items) {
    if (matches(pathname, item.href) && (best === null || item.href.length > best.length)) best = item.href;
  }
  return best;
}

export function SidebarNav({ items, onNavigate }: { items: NavItem[]; onNavigate?: () => void }) {
  const pathname = usePathname() ?? "/";
  const activeHref = findActiveHref(pathname, items);
  const baseId = React.useId();

  const sections = NAV_SECTIONS.map((section) => ({
    section,
    items: items.filter((item) => item.section === section),
  })).filter((group) => group.items.length > 0);

  return (
    <nav aria-label="Main" className="grid gap-6">
      {sections.map(({ section, items: sectionItems }) => {
        const headingId = `${baseId}-${section.toLowerCase()}`;
        return (
          <div key={section} className="grid gap-1">
            <p id={headingId} className="px-2.5 text-[11px] font-medium tracking-wider text-muted-foreground/80 uppercase">
              {section}
            </p>
            <ul aria-labelledby={headingId} className="grid gap-0.5">
              {sectionItems.map((item) => {
                const Icon = NAV_ICONS[item.icon] ?? NAV_ICONS.home;
                const active = item.href === activeHref;
                return (
                  <li key={item.href}>
                    <Link
                      href={item.href}
                      aria-current={active ? "page" : undefined}
                      data-active={active || undefined}
                      onClick={onNavigate}
                      className={cn(
                        "group/nav relative flex h-8 items-center gap-2.5 rounded-md px-2.5 text-sm text-sidebar-foreground/80 outline-none transition-colors",
                        "hover:bg-sidebar-accent/70 hover:text-sidebar-accent-foreground",
                        "focus-visible:ring-[3px] focus-visible:ring-sidebar-ring/50",
                        "data-[active]:bg-sidebar-accent data-[active]:font-medium data-[active]:text-sidebar-accent-foreground",
                        "data-[active]:before:absolute data-[active]:before:inset-y-1.5 data-[active]:before:-left-3 data-[active]:before:w-0.5 data-[active]:before:rounded-full data-[active]:before:bg-sidebar-primary",
                      )}
                    >
                      <Icon
                        aria-hidden="true"
                        className={cn(
                          "size-4 shrink-0 text-muted-foreground transition-colors group-hover/nav:text-sidebar-accent-foreground",
                          active && "text-sidebar-primary group-hover/nav:text-sidebar-primary",
                        )}
                      />
                      <span className="truncate">{item.label}</span>
                    </Link>
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
    </nav>
  );
}
