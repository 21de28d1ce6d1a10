import * as React from "react";

import { cn } from "@/lib/utils";
import { Label } from "@/components/ui/label";
import { asSentence } from "@/lib/format";

type FormFieldProps = {
  /** Visible label text. */
  label: React.ReactNode;
  /** id of the control inside; used for the label's htmlFor and to derive `${htmlFor}-error` / `${htmlFor}-description`. */
  htmlFor: string;
  /** Per-field error(s), e.g. `state.errors?.email` from a `useActionState` action. Empty values render nothing. */
  error?: string | string[] | null;
  /** Helper text shown under the control. */
  description?: React.ReactNode;
  className?: string;
  children: React.ReactNode;
};

function normaliseErrors(error: FormFieldProps["error"]): string[] {
  if (!error) return [];
  const list = Array.isArray(error) ? error : [error];
  return list.filter((e): e is string => typeof e === "string" && e.trim().length > 0);
}

/**
 * Label + control + description + field error.
 *
 * When `children` is a single element (e.g. `<Input id="email" name="email" />`), FormField adds
 * `aria-invalid` and `aria-describedby` (pointing at the description / error) unless the element
 * already sets them. Server-safe (no hooks).
 */
function FormField({ label, htmlFor, error, description, className, children }: FormFieldProps) {
  const errors = normaliseErrors(error);
  const hasError = errors.length > 0;
  const errorId = `${htmlFor}-error`;
  const descriptionId = `${htmlFor}-description`;
  const describedBy = [description ? descriptionId : null, hasError ? errorId : null].filter(Boolean).join(" ");

  let control = children;
  if (React.isValidElement<Record<string, unknown>>(children) && children.type !== React.Fragment) {
    const extra: Record<string, unknown> = {};
    if (children.props["aria-invalid"] === undefined && hasError) extra["aria-invalid"] = true;
    if (children.props["aria-describedby"] === undefined && describedBy) extra["aria-describedby"] = describedBy;
    if (Object.keys(extra).length > 0) control = React.cloneElement(children, extra);
  }

  return (
    <div data-slot="form-field" data-invalid={hasError || undefined} className={cn("grid gap-2", className)}>
      <Label htmlFor={htmlFor} className={cn(hasError && "text-destructive")}>
        {label}
      </Label>
      {control}
      {description ? (
        <p id={descriptionId} data-slot="form-description" className="text-sm text-muted-foreground">
          {description}
        </p>
      ) : null}
      {hasError ? (
        <div id={errorId} data-slot="form-message" role="alert" className="grid gap-0.5 text-sm text-destructive">
          {errors.map((message, i) => (
            <p key={i}>{asSentence(message)}</p>
          ))}
        </div>
      ) : null}
    </div>
  );
}

export { FormField, type FormFieldProps };
