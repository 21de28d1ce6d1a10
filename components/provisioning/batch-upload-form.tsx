"use client";

/**
 * The batch provisioning upload: the integration, and the CSV file of
 * operations. The server reads and checks the file; its refusal (not CSV,
 * wrong columns, provisioning off) is shown beside the field.
 */
import { useActionState } from "react";
import { Upload } from "lucide-react";
import { fieldError, FormMessage } from "@/components/forms/form-message";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import type { ActionResult } from "@/lib/actions";

type Action = (prev: ActionResult<unknown> | null, formData: FormData) => Promise<ActionResult<unknown>>;

export function BatchUploadForm({
  integrations,
  defaultIntegrationId,
  action,
}: {
  integrations: { id: string; name: string; enabled: boolean }[];
  defaultIntegrationId?: string;
  action: Action;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="grid gap-5" aria-label="New batch">
      <FormField
        label="Integration"
        htmlFor="integrationId"
        error={fieldError(state, "integrationId")}
        description="Only integrations whose provisioning is switched on can take a batch."
      >
        <NativeSelect id="integrationId" name="integrationId" className="w-full sm:w-96" defaultValue={defaultIntegrationId ?? ""} required>
          <NativeSelectOption value="" disabled>
            Choose an integration…
          </NativeSelectOption>
          {integrations.map((i) => (
            <NativeSelectOption key={i.id} value={i.id} disabled={!i.enabled}>
              {i.name}
              {i.enabled ? "" : " (provisioning off)"}
            </NativeSelectOption>
          ))}
        </NativeSelect>
      </FormField>
      <FormField
        label="CSV file"
        htmlFor="file"
        error={fieldError(state, "file")}
        description="UTF-8 CSV with a header row, at most 10,000 rows."
      >
        <Input id="file" name="file" type="file" accept=".csv,text/csv" required className="w-full sm:w-96" />
      </FormField>
      <FormMessage state={state && !state.ok && !state.fieldErrors?.file && !state.fieldErrors?.integrationId ? state : null} />
      <div>
        <Button type="submit" disabled={pending}>
          <Upload aria-hidden="true" /> {pending ? "Uploading…" : "Upload and queue"}
        </Button>
      </div>
    </form>
  );
}
