"use client";

import { useActionState, useState } from "react";
import { Copy } from "lucide-react";
import { FormMessage, fieldError } from "@/components/forms/form-message";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { API_KEY_SCOPE_GROUPS } from "@/lib/api-keys/scopes";
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
          <p className="text-sm text-muted-foreground">Give the key only what it needs; each call it makes is checked against these.</p>
          <div className="grid gap-4 md:grid-cols-2">
            {API_KEY_SCOPE_GROUPS.map((g) => (
              <div
                key={g.area}
                role="group"
                aria-labelledby={`scope-area-${g.area}`}
                className="grid content-start gap-2 rounded-md border p-3"
              >
                <h3 id={`scope-area-${g.area}`} className="text-sm font-semibold">
                  {g.area}
                </h3>
                {g.scopes.map(({ scope, allows }) => (
                  <label key={scope} className="flex items-start gap-2 text-sm">
                    <input type="checkbox" name="scopes[]" value={scope} className="mt-0.5 size-4 shrink-0 accent-primary" />
                    <span className="grid min-w-0 gap-0.5">
                      <code className="text-xs font-medium">{scope}</code>
                      <span className="text-muted-foreground">{allows}</span>
                    </span>
                  </label>
                ))}
              </div>
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
