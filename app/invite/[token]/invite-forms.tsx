"use client";

import { useActionState, useEffect } from "react";
import { useRouter } from "next/navigation";
import { SessionProvider, useSession } from "next-auth/react";
import { FormMessage, fieldError } from "@/components/forms/form-message";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { acceptInvitationAction, createAccountAction } from "./actions";

/**
 * A plain POST before hydration too: the membership is created only by this button. Once it is,
 * the session moves into the tenant (the server checks the membership again); without scripts
 * the page says so and the next sign-in opens there.
 */
export function AcceptInvitationForm(props: { token: string; tenantName: string }) {
  return (
    <SessionProvider refetchOnWindowFocus={false}>
      <AcceptInvitation {...props} />
    </SessionProvider>
  );
}

function AcceptInvitation({ token, tenantName }: { token: string; tenantName: string }) {
  const [state, action, pending] = useActionState(acceptInvitationAction, null);
  const { update } = useSession();
  const router = useRouter();
  const joined = state?.ok ? state.data.tenantId : null;
  useEffect(() => {
    if (!joined) return;
    void update({ tenantId: joined }).then(() => {
      router.push("/");
      router.refresh();
    });
  }, [joined, update, router]);
  return (
    <form action={action} className="grid gap-4">
      <FormMessage state={state} />
      <input type="hidden" name="token" value={token} />
      <Button type="submit" disabled={pending || !!joined}>
        {pending ? "Joining…" : `Accept and join ${tenantName}`}
      </Button>
    </form>
  );
}

const FIELDS = ["name", "password", "confirmPassword"];

export function CreateAccountForm({ token, email }: { token: string; email: string }) {
  const [state, action, pending] = useActionState(createAccountAction, null);
  // Errors shown beside their fields are not repeated above the form.
  const onlyFieldErrors = !!state && !state.ok && !!state.fieldErrors && Object.keys(state.fieldErrors).every((k) => FIELDS.includes(k));
  return (
    <form action={action} className="grid gap-4" noValidate>
      <FormMessage state={onlyFieldErrors ? null : state} />
      <input type="hidden" name="token" value={token} />
      <FormField label="Email" htmlFor="invite-email">
        <Input id="invite-email" type="email" value={email} readOnly autoComplete="username" />
      </FormField>
      <FormField label="Your name (optional)" htmlFor="invite-name" error={fieldError(state, "name")}>
        <Input id="invite-name" name="name" autoComplete="name" maxLength={120} />
      </FormField>
      <FormField label="Password" htmlFor="invite-password" error={fieldError(state, "password")} description="12 characters or more.">
        <Input id="invite-password" name="password" type="password" autoComplete="new-password" required minLength={12} />
      </FormField>
      <FormField label="Repeat the password" htmlFor="invite-confirm" error={fieldError(state, "confirmPassword")}>
        <Input id="invite-confirm" name="confirmPassword" type="password" autoComplete="new-password" required />
      </FormField>
      <Button type="submit" disabled={pending}>
        {pending ? "Creating your account…" : "Create account and join"}
      </Button>
    </form>
  );
}
