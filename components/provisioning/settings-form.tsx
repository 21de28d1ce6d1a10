"use client";

/**
 * An integration's provisioning settings: the switch, the mode, the
 * connector's own settings (connector mode), the callback endpoint with its
 * write-only token (callback mode) and the callback timeout. Checked in the
 * browser with the server's own provisioningSettingsSchema; the server checks
 * again (the connector's settings only there) and its field errors come back
 * beside their fields. Read-only for roles that may only read.
 */
import { useState, useTransition } from "react";
import { useForm, useWatch, type Resolver } from "react-hook-form";
import { Save } from "lucide-react";
import { FormMessage } from "@/components/forms/form-message";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import type { ActionResult } from "@/lib/actions";
import { PROVISIONING_MODE_LABELS, type ProvisioningMode } from "@/lib/domain/enums";
import { provisioningSettingsSchema } from "@/lib/provisioning/schemas";
import { formKeyOf, settingFieldsFor, settingsPayload, settingValues } from "./settings-fields";

export type ProvisioningSettingsView = {
  integration: { id: string; name: string; connector: string };
  enabled: boolean;
  mode: ProvisioningMode;
  modes: ProvisioningMode[];
  settings: Record<string, unknown>;
  callback: { url: string; hasToken: boolean } | null;
  callbackTimeoutMinutes: number;
};

type Values = {
  enabled: boolean;
  mode: ProvisioningMode;
  settings: Record<string, string>;
  callbackUrl: string;
  callbackToken: string;
  callbackTimeoutMinutes: string;
};

type SaveAction = (input: unknown) => Promise<ActionResult<unknown>>;

const MODE_HELP: Record<ProvisioningMode, string> = {
  connector: "SyncLedger writes to the application itself, with the integration's connection and credentials.",
  callback: "SyncLedger sends each operation to your endpoint, which reports the outcome on a single-use callback URL.",
  manual: "Each operation is written down as a task for someone to carry out by hand and close with Confirm.",
};

function payloadOf(view: ProvisioningSettingsView, v: Values) {
  return {
    integrationId: view.integration.id,
    enabled: v.enabled,
    mode: v.mode,
    settings: v.mode === "connector" ? settingsPayload(view.integration.connector, v.settings) : {},
    callback: v.mode === "callback" ? { url: v.callbackUrl, token: v.callbackToken || undefined } : undefined,
    callbackTimeoutMinutes: v.callbackTimeoutMinutes,
  };
}

/** A server or schema error path as the form's field name. */
function fieldNameOf(connector: string, path: string): string {
  if (path === "callback.url" || path === "callback") return "callbackUrl";
  if (path === "callback.token") return "callbackToken";
  if (path.startsWith("settings.")) {
    const key = formKeyOf(connector, path.slice("settings.".length));
    return key ? `settings.${key}` : "root";
  }
  return path || "root";
}

export function ProvisioningSettingsForm({
  view,
  canWrite,
  action,
}: {
  view: ProvisioningSettingsView;
  canWrite: boolean;
  action: SaveAction;
}) {
  const connector = view.integration.connector;
  const resolver: Resolver<Values> = async (values) => {
    const parsed = provisioningSettingsSchema.safeParse(payloadOf(view, values));
    if (parsed.success) return { values, errors: {} };
    const errors: Record<string, { type: string; message: string }> = {};
    for (const issue of parsed.error.issues) {
      const name = fieldNameOf(connector, issue.path.map(String).join("."));
      errors[name] ??= { type: "validate", message: issue.message };
    }
    return { values: {}, errors: errors as never };
  };
  // The same values go on the inputs themselves (defaultChecked, defaultValue)
  // so the server-rendered page shows the stored settings before hydration,
  // when react-hook-form has not yet applied its defaultValues.
  const initialSettings = settingValues(connector, view.settings);
  const form = useForm<Values>({
    resolver,
    defaultValues: {
      enabled: view.enabled,
      mode: view.mode,
      settings: initialSettings,
      callbackUrl: view.callback?.url ?? "",
      callbackToken: "",
      callbackTimeoutMinutes: String(view.callbackTimeoutMinutes),
    },
  });
  const { register, handleSubmit, formState, setError, control } = form;
  const mode = useWatch({ control, name: "mode" });
  const settingsNow = useWatch({ control, name: "settings" });
  const [state, setState] = useState<ActionResult<unknown> | null>(null);
  const [pending, startTransition] = useTransition();
  const fields = settingFieldsFor(connector);
  const err = (name: string) => {
    const parts = name.split(".");
    let node: unknown = formState.errors;
    for (const p of parts) node = node && typeof node === "object" ? (node as Record<string, unknown>)[p] : undefined;
    return (node as { message?: string } | undefined)?.message;
  };

  const onSubmit = handleSubmit((values) => {
    startTransition(async () => {
      const result = await action(payloadOf(view, values));
      setState(result);
      if (!result.ok && result.fieldErrors) {
        for (const [path, messages] of Object.entries(result.fieldErrors)) {
          setError(fieldNameOf(connector, path) as keyof Values, { type: "server", message: messages[0] });
        }
      }
      if (result.ok) form.resetField("callbackToken");
    });
  });

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-6" aria-label="Provisioning settings">
      <fieldset disabled={!canWrite || pending} className="grid min-w-0 gap-6">
        <div className="flex items-start gap-3 rounded-lg border p-4">
          <input
            id="enabled"
            type="checkbox"
            className="mt-1 size-4 accent-primary"
            defaultChecked={view.enabled}
            {...register("enabled")}
          />
          <div className="grid gap-1">
            <Label htmlFor="enabled">Data synchronization enabled for this application</Label>
            <p className="text-sm text-muted-foreground">
              When off, SyncLedger sends no operation to “{view.integration.name}” and writes no log for it; manual operations and batches
              are refused.
            </p>
          </div>
        </div>

        <FormField label="Mode" htmlFor="mode" error={err("mode")} description={MODE_HELP[mode]}>
          <NativeSelect id="mode" className="w-full sm:w-80" defaultValue={view.mode} {...register("mode")}>
            {view.modes.map((m) => (
              <NativeSelectOption key={m} value={m}>
                {PROVISIONING_MODE_LABELS[m]}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FormField>

        {mode === "connector" && fields.length ? (
          <section aria-labelledby="connector-settings" className="grid gap-4">
            <h2 id="connector-settings" className="text-base font-semibold">
              Connector settings
            </h2>
            <div className="grid gap-4 sm:grid-cols-2">
              {fields
                .filter((f) => !f.when || f.when.values.includes(settingsNow?.[f.when.key] ?? ""))
                .map((f) => (
                  <FormField
                    key={f.key}
                    label={f.label}
                    htmlFor={`settings-${f.key}`}
                    error={err(`settings.${f.key}`)}
                    description={f.description}
                  >
                    {f.kind === "select" ? (
                      <NativeSelect
                        id={`settings-${f.key}`}
                        className="w-full"
                        defaultValue={initialSettings[f.key]}
                        {...register(`settings.${f.key}`)}
                      >
                        {f.options?.map((o) => (
                          <NativeSelectOption key={o.value} value={o.value}>
                            {o.label}
                          </NativeSelectOption>
                        ))}
                      </NativeSelect>
                    ) : (
                      <Input
                        id={`settings-${f.key}`}
                        placeholder={f.placeholder}
                        defaultValue={initialSettings[f.key]}
                        {...register(`settings.${f.key}`)}
                      />
                    )}
                  </FormField>
                ))}
            </div>
          </section>
        ) : null}

        {mode === "callback" ? (
          <section aria-labelledby="callback-settings" className="grid gap-4">
            <h2 id="callback-settings" className="text-base font-semibold">
              Callback endpoint
            </h2>
            <FormField
              label="Endpoint URL"
              htmlFor="callbackUrl"
              error={err("callbackUrl")}
              description="Receives each operation as JSON (POST) and answers 202; it then calls the task's callback URL with the outcome."
            >
              <Input
                id="callbackUrl"
                type="url"
                placeholder="https://hr.example.com/provisioning"
                defaultValue={view.callback?.url ?? ""}
                {...register("callbackUrl")}
              />
            </FormField>
            <FormField
              label="Bearer token"
              htmlFor="callbackToken"
              error={err("callbackToken")}
              description={
                view.callback?.hasToken
                  ? "A token is stored; it is never shown. Type a new one to replace it, or leave empty to keep it."
                  : "Sent as Authorization: Bearer <token>. Stored encrypted and never shown again."
              }
            >
              <Input
                id="callbackToken"
                type="password"
                autoComplete="new-password"
                placeholder={view.callback?.hasToken ? "•••••••• (stored)" : ""}
                {...register("callbackToken")}
              />
            </FormField>
            <FormField
              label="Callback timeout (minutes)"
              htmlFor="callbackTimeoutMinutes"
              error={err("callbackTimeoutMinutes")}
              description="A callback task with no callback after this long ends as No callback."
            >
              <Input
                id="callbackTimeoutMinutes"
                type="number"
                min={1}
                max={10080}
                className="w-32"
                defaultValue={String(view.callbackTimeoutMinutes)}
                {...register("callbackTimeoutMinutes")}
              />
            </FormField>
          </section>
        ) : null}
      </fieldset>

      {err("root") ? <p className="text-sm text-destructive">{err("root")}</p> : null}
      <FormMessage state={state} />
      {canWrite ? (
        <div>
          <Button type="submit" disabled={pending}>
            <Save aria-hidden="true" /> {pending ? "Saving…" : "Save"}
          </Button>
        </div>
      ) : (
        <p className="text-sm text-muted-foreground">Your role can read these settings; an admin or operator changes them.</p>
      )}
    </form>
  );
}
