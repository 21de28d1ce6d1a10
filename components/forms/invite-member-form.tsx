"use client";

import { useActionState, useState } from "react";
import { Copy } from "lucide-react";
import { FormMessage, fieldError } from "@/components/forms/form-message";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import type { ActionResult } from "@/lib/actions";
import { ROLES } from "@/lib/auth/permissions";

export type InvitationCreated = { email: string; role: string; expiresAt: string; link: string };

/**
 * Invites an address with a role; used by tenant admins and platform admins.
 * There is no mail server: the link is shown here once, for the admin to pass on.
 */
export function InviteMemberForm({
  action,
  hidden = {},
}: {
  action: (prev: ActionResult<InvitationCreated> | null, formData: FormData) => Promise<ActionResult<InvitationCreated>>;
  hidden?: Record<string, string>;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  const [copied, setCopied] = useState<string | null>(null);
  const id = (f: string) => `${hidden.tenantId ?? "invite"}-${f}`;
  return (
    <div className="grid gap-4">
      {state?.ok ? (
        <Alert variant="success" role="status">
          <AlertTitle className="line-clamp-none [overflow-wrap:anywhere]">Invitation created for {state.data.email}</AlertTitle>
          <AlertDescription className="grid min-w-0 gap-2">
            <span className="[overflow-wrap:anywhere]">
              Send this link to {state.data.email} yourself: it is shown only once, works once, and expires on{" "}
              {state.data.expiresAt.slice(0, 10)}. They join as {state.data.role} when they accept.
            </span>
            <div className="flex min-w-0 flex-wrap items-center gap-2">
              <code
                data-testid="invitation-link"
                className="min-w-0 rounded bg-muted px-2 py-1 font-mono text-xs break-all text-foreground"
              >
                {state.data.link}
              </code>
              <Button
                type="button"
                variant="outline"
                size="sm"
                onClick={async () => {
                  await navigator.clipboard.writeText(state.data.link);
                  setCopied(state.data.link);
                }}
              >
                <Copy aria-hidden="true" /> {copied === state.data.link ? "Copied" : "Copy link"}
              </Button>
            </div>
          </AlertDescription>
        </Alert>
      ) : (
        <FormMessage state={state} />
      )}
      <form action={formAction} className="grid gap-4" noValidate>
        {Object.entries(hidden).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <div className="grid gap-4 sm:grid-cols-2">
          <FormField label="Email" htmlFor={id("email")} error={fieldError(state, "email")}>
            <Input id={id("email")} name="email" type="email" autoComplete="off" required />
          </FormField>
          <FormField label="Role" htmlFor={id("role")} error={fieldError(state, "role")}>
            <NativeSelect id={id("role")} name="role" defaultValue="viewer">
              {ROLES.map((r) => (
                <NativeSelectOption key={r} value={r}>
                  {r}
                </NativeSelectOption>
              ))}
            </NativeSelect>
          </FormField>
        </div>
        <div>
          <Button type="submit" disabled={pending}>
            {pending ? "Inviting…" : "Create invitation"}
          </Button>
        </div>
      </form>
    </div>
  );
}
