"use client";

import { useActionState } from "react";
import { signIn } from "next-auth/react";
import { Brand } from "@/components/shell/logo";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { signInAction } from "./actions";

/**
 * A server-action form: before the page's scripts load (or without them) it
 * is a plain POST that signs in and redirects, so the password never lands in
 * a URL; once hydrated the same action runs without a page load.
 */
export function LoginForm(props: { callbackUrl: string; oidcName: string | null; initialError?: string; notice?: string }) {
  const [state, formAction, pending] = useActionState(signInAction, null);
  const error = state && !state.ok ? state.message : props.initialError;

  return (
    <Card className="w-full max-w-sm">
      <CardHeader className="space-y-3">
        <Brand />
        <CardTitle className="text-xl">Sign in</CardTitle>
        <CardDescription>Use your work email and password.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {error ? (
          <Alert variant="destructive" role="alert">
            <AlertDescription>{error}</AlertDescription>
          </Alert>
        ) : props.notice ? (
          <Alert variant="success" role="status">
            <AlertDescription>{props.notice}</AlertDescription>
          </Alert>
        ) : null}
        <form action={formAction} className="grid gap-4" noValidate>
          <input type="hidden" name="callbackUrl" value={props.callbackUrl} />
          <FormField label="Email" htmlFor="email">
            <Input
              id="email"
              name="email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              defaultValue={state?.email ?? ""}
              key={state?.email ?? ""}
            />
          </FormField>
          <FormField label="Password" htmlFor="password">
            <Input id="password" name="password" type="password" autoComplete="current-password" required />
          </FormField>
          <Button type="submit" disabled={pending}>
            {pending ? "Signing in…" : "Sign in"}
          </Button>
        </form>
        {props.oidcName ? (
          <Button variant="outline" onClick={() => signIn("oidc", { callbackUrl: props.callbackUrl })}>
            Continue with {props.oidcName}
          </Button>
        ) : null}
      </CardContent>
    </Card>
  );
}
