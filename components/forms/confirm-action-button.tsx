"use client";

import { useActionState } from "react";
import { toast } from "@/components/ui/toaster";
import { Button, type ButtonProps } from "@/components/ui/button";
import type { ActionResult } from "@/lib/actions";

/**
 * A one-button form for a row action (revoke, delete, remove…) that asks for
 * confirmation and reports the outcome as a toast.
 */
export function ConfirmActionButton({
  action,
  fields,
  confirm,
  children,
  ...buttonProps
}: {
  action: (prev: ActionResult<unknown> | null, formData: FormData) => Promise<ActionResult<unknown>>;
  fields: Record<string, string>;
  confirm: string;
} & Omit<ButtonProps, "formAction">) {
  const [, formAction, pending] = useActionState(async (prev: ActionResult<unknown> | null, formData: FormData) => {
    const result = await action(prev, formData);
    if (result.ok) toast.success(result.message ?? "Done");
    else toast.error(result.message);
    return result;
  }, null);
  return (
    <form
      action={formAction}
      onSubmit={(e) => {
        if (!window.confirm(confirm)) e.preventDefault();
      }}
    >
      {Object.entries(fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <Button type="submit" size="sm" disabled={pending} {...buttonProps}>
        {children}
      </Button>
    </form>
  );
}
