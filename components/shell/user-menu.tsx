"use client";

import * as React from "react";
import { LogOut } from "lucide-react";

import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import type { ShellUser } from "./types";

function initials(user: ShellUser): string {
  const source = user.name.trim() || user.email;
  const parts = source.split(/[\s@._-]+/).filter(Boolean);
  const letters = parts.length >= 2 ? parts[0][0] + parts[1][0] : source.slice(0, 2);
  return letters.toUpperCase();
}

/**
 * Avatar button + menu with the user's name/email and a "Sign out" link.
 * The sign-out entry is a menu item wrapping a real `<a href>` (so it is reachable as a link and as
 * a menu item); keyboard selection navigates via `location.assign`.
 */
export function UserMenu({ user, signOutHref = "/api/auth/signout" }: { user: ShellUser; signOutHref?: string }) {
  const anchorClicked = React.useRef(false);

  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" aria-label="User menu" className="h-9 gap-2 px-1.5 sm:pr-2.5">
          <span
            aria-hidden="true"
            className="flex size-7 items-center justify-center rounded-full bg-primary/10 text-[11px] font-semibold text-primary ring-1 ring-primary/20"
          >
            {initials(user)}
          </span>
          <span className="hidden max-w-[10rem] truncate text-sm font-medium lg:inline">{user.name || user.email}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-64">
        <DropdownMenuLabel className="flex min-w-0 flex-col gap-0.5 font-normal">
          <span className="truncate text-sm font-medium text-foreground">{user.name || user.email}</span>
          <span className="truncate text-xs text-muted-foreground">{user.email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem
          onSelect={() => {
            // A click on the anchor navigates natively; only keyboard selection needs help.
            if (anchorClicked.current) {
              anchorClicked.current = false;
              return;
            }
            window.location.assign(signOutHref);
          }}
        >
          <a
            href={signOutHref}
            tabIndex={-1}
            onClick={() => {
              anchorClicked.current = true;
            }}
            className="flex flex-1 items-center gap-2 outline-none"
          >
            <LogOut aria-hidden="true" className="size-4 text-muted-foreground" />
            Sign out
          </a>
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
