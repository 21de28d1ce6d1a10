"use client";

import { useActionState } from "react";
import { FormMessage, fieldError } from "@/components/forms/form-message";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import type { ActionResult } from "@/lib/actions";
import { ROLES } from "@/lib/auth/permissions";

/** Adds a person to a tenant with a role; used by tenant admins and platform admins. */
export function AddMemberForm({
  action,
  hidden = {},
}: {
  action: (prev: ActionResult<unknown> | null, formData: FormData) => Promise<ActionResult<unknown>>;
  hidden?: Record<string, string>;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  const id = (f: string) => `${hidden.tenantId ?? "member"}-${f}`;
  return (
    <form action={formAction} className="grid gap-4" noValidate>
      <FormMessage state={state} />
      {Object.entries(hidden).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField label="Email" htmlFor={id("email")} error={fieldError(state, "email")}>
          <Input id={id("email")} name="email" type="email" required />
        </FormField>
        <FormField label="Name" htmlFor={id("name")} error={fieldError(state, "name")}>
          <Input id={id("name")} name="name" />
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
        <FormField
          label="Initial password"
          htmlFor={id("password")}
          error={fieldError(state, "password")}
          description="Needed only for a person who has no account yet (12 characters or more)."
        >
          <Input id={id("password")} name="password" type="password" autoComplete="new-password" />
        </FormField>
      </div>
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add member"}
        </Button>
      </div>
    </form>
  );
}
