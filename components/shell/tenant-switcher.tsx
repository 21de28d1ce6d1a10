"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { useSession } from "next-auth/react";
import { Building, CheckIcon, ChevronsUpDown, LoaderCircle } from "lucide-react";

import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import type { ShellTenant } from "./types";

type TenantSwitcherProps = {
  tenants: ShellTenant[];
  currentTenantId: string;
  role: string;
  className?: string;
};

/**
 * Tenant switcher. Choosing a tenant asks next-auth to update the session (`useSession().update`);
 * the server's `jwt` callback checks the membership and changes the session only to a tenant the
 * user belongs to, so the answer tells whether the switch happened. The dropdown sits in a form
 * with a hidden `tenantId` input, so a submitted form and a chosen item take the same path.
 */
export function TenantSwitcher({ tenants, currentTenantId, role, className }: TenantSwitcherProps) {
  const formRef = React.useRef<HTMLFormElement>(null);
  const inputRef = React.useRef<HTMLInputElement>(null);
  const { update, status } = useSession();
  const router = useRouter();
  const [pending, startSwitch] = React.useTransition();
  // Until hydration a submitted form would be a plain GET that switches nothing; data-ready says
  // the switcher handles submissions itself (scripts and tests wait for it).
  const [ready, setReady] = React.useState(false);
  React.useEffect(() => setReady(true), []);
  const current = tenants.find((t) => t.id === currentTenantId);

  function selectTenant(tenantId: string) {
    if (tenantId === currentTenantId) return;
    const form = formRef.current;
    const input = inputRef.current;
    if (!form || !input) return;
    input.value = tenantId;
    form.requestSubmit();
  }

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const tenantId = new FormData(event.currentTarget).get("tenantId");
    if (typeof tenantId !== "string" || tenantId === currentTenantId) return;
    startSwitch(async () => {
      const session = await update({ tenantId });
      if (session?.user?.tenantId === tenantId) {
        router.push("/");
        router.refresh();
      } else {
        // The server kept the session as it was: not a member (any more), or signed out meanwhile.
        router.push(session?.user ? "/access-denied" : "/login");
      }
    });
  }

  return (
    <form
      ref={formRef}
      onSubmit={onSubmit}
      data-ready={ready || undefined}
      data-slot="tenant-switcher"
      className={cn("flex min-w-0 items-center gap-2", className)}
    >
      <input ref={inputRef} type="hidden" name="tenantId" defaultValue={currentTenantId} />
      <DropdownMenu>
        <SwitcherTrigger
          label={current?.name ?? "Select tenant"}
          pending={pending}
          disabled={tenants.length === 0 || status !== "authenticated"}
        />
        <DropdownMenuContent align="start" className="w-64">
          <DropdownMenuLabel className="text-xs font-medium text-muted-foreground">Tenants</DropdownMenuLabel>
          <DropdownMenuSeparator />
          {tenants.map((tenant) => {
            const isCurrent = tenant.id === currentTenantId;
            return (
              <DropdownMenuItem
                key={tenant.id}
                data-current={isCurrent || undefined}
                onSelect={() => selectTenant(tenant.id)}
                className="gap-2"
              >
                <span
                  aria-hidden="true"
                  className="flex size-6 shrink-0 items-center justify-center rounded-md border bg-muted text-[11px] font-semibold text-muted-foreground uppercase"
                >
                  {tenant.name.slice(0, 1)}
                </span>
                <span className="flex min-w-0 flex-1 flex-col">
                  <span className="truncate">{tenant.name}</span>
                  <span aria-hidden="true" className="truncate font-mono text-[11px] text-muted-foreground">
                    {tenant.slug}
                  </span>
                </span>
                {isCurrent ? <CheckIcon aria-hidden="true" className="size-4 text-primary" /> : null}
              </DropdownMenuItem>
            );
          })}
        </DropdownMenuContent>
      </DropdownMenu>
      {role ? (
        <Badge variant="outline" className="hidden capitalize sm:inline-flex" title="Your role in this tenant">
          {role}
        </Badge>
      ) : null}
    </form>
  );
}

function SwitcherTrigger({ label, pending, disabled }: { label: string; pending: boolean; disabled?: boolean }) {
  return (
    <DropdownMenuTrigger asChild>
      <Button
        type="button"
        variant="ghost"
        aria-label="Switch tenant"
        aria-busy={pending || undefined}
        disabled={disabled || pending}
        className="h-9 max-w-[16rem] min-w-0 justify-start gap-2 px-2 font-medium"
      >
        {pending ? (
          <LoaderCircle aria-hidden="true" className="animate-spin text-muted-foreground" />
        ) : (
          <Building aria-hidden="true" className="text-muted-foreground" />
        )}
        <span className="truncate">{label}</span>
        <ChevronsUpDown aria-hidden="true" className="ml-auto text-muted-foreground" />
      </Button>
    </DropdownMenuTrigger>
  );
}
