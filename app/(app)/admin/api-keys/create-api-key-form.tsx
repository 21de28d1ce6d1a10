"use client";

import { useActionState, useState } from "react";
import { Copy } from "lucide-react";
import { FormMessage, fieldError } from "@/components/forms/form-message";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { API_KEY_SCOPES } from "@/lib/auth/permissions";
import { createApiKeyAction } from "./actions";

export function CreateApiKeyForm() {
  const [state, action, pending] = useActionState(createApiKeyAction, null);
  const [copied, setCopied] = useState(false);
  return (
    <div className="grid gap-4">
      {state?.ok ? (
        <Alert variant="success" role="status">
          <AlertTitle>API key “{state.data.name}” created</AlertTitle>
          <AlertDescription className="grid gap-2">
            <span>Copy it now: it is shown only once and cannot be recovered.</span>
            <div className="flex items-center gap-2">
              <code data-testid="new-api-key" className="rounded bg-muted px-2 py-1 font-mono text-xs break-all text-foreground">
                {state.data.secret}
              </code>
              <Button
                type="button"
                variant="outline"
                size="sm"
                onClick={async () => {
                  await navigator.clipboard.writeText(state.data.secret);
                  setCopied(true);
                }}
              >
                <Copy aria-hidden="true" /> {copied ? "Copied" : "Copy"}
              </Button>
            </div>
          </AlertDescription>
        </Alert>
      ) : (
        <FormMessage state={state} />
      )}
      <form action={action} className="grid gap-4" noValidate>
        <FormField label="Name" htmlFor="name" error={fieldError(state, "name")} description="What will use this key, e.g. “SIEM export”.">
          <Input id="name" name="name" required maxLength={80} />
        </FormField>
        <fieldset className="grid gap-2">
          <legend className="mb-1 text-sm font-medium">Scopes</legend>
          <div className="grid gap-1.5 sm:grid-cols-2">
            {API_KEY_SCOPES.map((s) => (
              <label key={s} className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="scopes[]" value={s} className="size-4 accent-primary" />
                <code className="text-xs">{s}</code>
              </label>
            ))}
          </div>
          {fieldError(state, "scopes")?.map((m) => (
            <p key={m} className="text-sm text-destructive" role="alert">
              {m}
            </p>
          ))}
        </fieldset>
        <FormField label="Expires on (optional)" htmlFor="expiresAt" error={fieldError(state, "expiresAt")}>
          <Input id="expiresAt" name="expiresAt" type="date" />
        </FormField>
        <div>
          <Button type="submit" disabled={pending}>
            {pending ? "Creating…" : "Create API key"}
          </Button>
        </div>
      </form>
    </div>
  );
}
