"use client";

import { useActionState } from "react";
import { FormMessage, fieldError } from "@/components/forms/form-message";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { createTenantAction, grantPlatformAdminAction, updateTenantAction } from "./actions";

export function CreateTenantForm() {
  const [state, action, pending] = useActionState(createTenantAction, null);
  return (
    <form action={action} className="grid gap-4" noValidate>
      <FormMessage state={state} />
      <div className="grid items-start gap-4 sm:grid-cols-2">
        <FormField label="Name" htmlFor="tenant-name" error={fieldError(state, "name")}>
          <Input id="tenant-name" name="name" required />
        </FormField>
        <FormField
          label="Slug"
          htmlFor="tenant-slug"
          error={fieldError(state, "slug")}
          description="Lowercase letters, digits and hyphens."
        >
          <Input id="tenant-slug" name="slug" required />
        </FormField>
      </div>
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create tenant"}
        </Button>
      </div>
    </form>
  );
}

export function EditTenantForm({ tenant }: { tenant: { id: string; name: string; slug: string } }) {
  const [state, action, pending] = useActionState(updateTenantAction, null);
  return (
    <form action={action} className="grid gap-3" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="id" value={tenant.id} />
      <div className="grid gap-3 sm:grid-cols-2">
        <FormField label="Name" htmlFor={`name-${tenant.id}`} error={fieldError(state, "name")}>
          <Input id={`name-${tenant.id}`} name="name" defaultValue={tenant.name} />
        </FormField>
        <FormField label="Slug" htmlFor={`slug-${tenant.id}`} error={fieldError(state, "slug")}>
          <Input id={`slug-${tenant.id}`} name="slug" defaultValue={tenant.slug} />
        </FormField>
      </div>
      <div>
        <Button type="submit" size="sm" disabled={pending}>
          Save
        </Button>
      </div>
    </form>
  );
}

export function GrantPlatformAdminForm() {
  const [state, action, pending] = useActionState(grantPlatformAdminAction, null);
  return (
    <form action={action} className="grid gap-3" noValidate>
      <FormMessage state={state} />
      <FormField
        label="Email of an existing user"
        htmlFor="platform-admin-email"
        error={fieldError(state, "email")}
        description="They can then create, edit and deactivate every tenant, and read the platform audit log."
      >
        <Input id="platform-admin-email" name="email" type="email" required autoComplete="off" />
      </FormField>
      <div>
        <Button type="submit" size="sm" disabled={pending}>
          {pending ? "Adding…" : "Make platform administrator"}
        </Button>
      </div>
    </form>
  );
}
