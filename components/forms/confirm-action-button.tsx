"use client";

import { useActionState, useRef, useState } from "react";
import { toast } from "@/components/ui/toaster";
import { Button, type ButtonProps } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { ActionResult } from "@/lib/actions";

/**
 * A one-button form for a row action (revoke, delete, remove…) that asks for
 * confirmation in the app's dialog and reports the outcome as a toast.
 * `confirm` is the question, optionally followed by what it means:
 * "Revoke “ci”? Calls with it will fail at once."
 */
export function ConfirmActionButton({
  action,
  fields,
  confirm,
  confirmLabel,
  dismissLabel,
  children,
  ...buttonProps
}: {
  action: (prev: ActionResult<unknown> | null, formData: FormData) => Promise<ActionResult<unknown>>;
  fields: Record<string, string>;
  confirm: string;
  /** The dialog's confirming button; the trigger's text when it is plain text. */
  confirmLabel?: string;
  dismissLabel?: string;
} & Omit<ButtonProps, "formAction">) {
  const form = useRef<HTMLFormElement>(null);
  const [open, setOpen] = useState(false);
  const [, formAction, pending] = useActionState(async (prev: ActionResult<unknown> | null, formData: FormData) => {
    const result = await action(prev, formData);
    if (result.ok) toast.success(result.message ?? "Done");
    else toast.error(result.message);
    return result;
  }, null);
  const split = confirm.indexOf("? ");
  const title = split === -1 ? confirm : confirm.slice(0, split + 1);
  const description = split === -1 ? "" : confirm.slice(split + 2);
  return (
    <form ref={form} action={formAction}>
      {Object.entries(fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <Button type="button" size="sm" disabled={pending} onClick={() => setOpen(true)} {...buttonProps}>
        {children}
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={title}
        description={description}
        confirmLabel={confirmLabel ?? (typeof children === "string" ? children : "Confirm")}
        dismissLabel={dismissLabel}
        destructive={buttonProps.variant === "destructive"}
        onConfirm={() => form.current?.requestSubmit()}
      />
    </form>
  );
}
