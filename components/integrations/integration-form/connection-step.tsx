"use client";

/**
 * Step 1: the integration's name, its connector and the connector's settings,
 * with a connection test that checks them against the source without saving.
 */
import type { ReactElement } from "react";
import { useController, useFormContext, useWatch } from "react-hook-form";
import { Zap } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { Textarea } from "@/components/ui/textarea";
import { SourceFileField } from "@/components/uploads/source-file-field";
import type { ActionResult } from "@/lib/actions";
import type { ConnectorType, ObjectType } from "@/lib/connectors/types";
import { cn } from "@/lib/utils";
import { CONFIG_FIELDS, CONNECTOR_NOTES, OBJECT_TYPE_LABELS, type ConfigFieldSpec, type ConnectorOption } from "../connector-fields";
import type { FieldErrors, IntegrationFormValues } from "./payload";

export type TestOutcome =
  | { ok: true; summary: string; counts: Partial<Record<ObjectType, number>> }
  | { ok: false; kind: string; message: string };

const FAILURE_KINDS: Record<string, string> = {
  auth: "authentication",
  unreachable: "unreachable",
  config: "configuration",
  protocol: "protocol",
  rate_limited: "rate limited",
  bad_data: "bad data",
};

function fieldId(path: string) {
  return `config-${path.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

export function ConnectionStep({
  connectors,
  option,
  editing,
  errors,
  onEdited,
  onConnectorChange,
  secrets,
  test,
}: {
  connectors: ConnectorOption[];
  option: ConnectorOption;
  editing: boolean;
  errors: FieldErrors;
  /** A field was changed: its errors go. */
  onEdited: (key: string) => void;
  onConnectorChange: (type: ConnectorType) => void;
  secrets: { stored: Set<string>; retype: Set<string> };
  /** Absent when the user may not test connections. */
  test?: { run: () => void; pending: boolean; result: ActionResult<TestOutcome> | null };
}) {
  const { register } = useFormContext<IntegrationFormValues>();
  const connector = useWatch<IntegrationFormValues, "connector">({ name: "connector" });
  const specs = CONFIG_FIELDS[connector];
  const shownConfigKeys = new Set(specs.map((s) => `config.${s.path}`));
  const otherConfigErrors = Object.entries(errors).filter(([k]) => (k === "config" || k.startsWith("config.")) && !shownConfigKeys.has(k));

  return (
    <section aria-labelledby="step-connection" className="grid gap-5">
      <h2 id="step-connection" className="text-lg font-semibold">
        Connection
      </h2>
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField
          label={
            <>
              Name
              <span aria-hidden="true" className="text-destructive">
                *
              </span>
            </>
          }
          htmlFor="name"
          error={errors.name}
        >
          <Input id="name" required maxLength={120} autoComplete="off" {...register("name", { onChange: () => onEdited("name") })} />
        </FormField>
        <FormField
          label="Connector"
          htmlFor="connector"
          error={errors.connector}
          description={editing ? "The connector type is fixed once the integration exists." : undefined}
        >
          <NativeSelect
            id="connector"
            className="w-full"
            value={connector}
            disabled={editing}
            onChange={(e) => onConnectorChange(e.target.value as ConnectorType)}
          >
            {connectors.map((c) => (
              <NativeSelectOption key={c.type} value={c.type}>
                {c.label}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FormField>
      </div>

      <fieldset className="grid gap-4 rounded-lg border p-4">
        <legend className="px-1 text-sm font-medium">{option.label} settings</legend>
        {CONNECTOR_NOTES[connector] ? <p className="text-sm text-muted-foreground">{CONNECTOR_NOTES[connector]}</p> : null}
        {otherConfigErrors.length > 0 ? (
          <Alert variant="destructive">
            <AlertDescription>
              {otherConfigErrors.flatMap(([k, messages]) =>
                messages.map((m) => <p key={`${k}:${m}`}>{k === "config" ? m : `${k.slice("config.".length)}: ${m}`}</p>),
              )}
            </AlertDescription>
          </Alert>
        ) : null}
        <div className="grid gap-4 sm:grid-cols-2">
          {specs.map((spec) => (
            <ConfigField
              key={`${connector}:${spec.path}`}
              spec={spec}
              error={errors[`config.${spec.path}`]}
              secret={option.secretFields.includes(spec.path)}
              stored={secrets.stored.has(spec.path)}
              retype={secrets.retype.has(spec.path)}
              onEdited={() => onEdited(`config.${spec.path}`)}
            />
          ))}
        </div>
      </fieldset>

      {test ? (
        <div className="grid gap-3">
          <div className="flex flex-wrap items-center gap-3">
            <Button type="button" variant="outline" onClick={test.run} disabled={test.pending}>
              <Zap aria-hidden="true" /> {test.pending ? "Testing…" : "Test connection"}
            </Button>
            <span className="text-sm text-muted-foreground">Checks these settings against the source without saving them.</span>
          </div>
          <TestResult result={test.result} pending={test.pending} />
        </div>
      ) : null}
    </section>
  );
}

function ConfigField({
  spec,
  error,
  secret,
  stored,
  retype,
  onEdited,
}: {
  spec: ConfigFieldSpec;
  error?: string[];
  secret: boolean;
  stored: boolean;
  /** A secret is stored, but the address changed: it must be typed again. */
  retype: boolean;
  onEdited: () => void;
}) {
  const { field } = useController<IntegrationFormValues>({ name: `config.${spec.path}` });
  const onChange = (value: string | boolean) => {
    field.onChange(value);
    onEdited();
  };
  const id = fieldId(spec.path);
  const wide = spec.wide ? "sm:col-span-2" : undefined;
  if (spec.kind === "checkbox") {
    return (
      <div className={cn("grid gap-1", wide)} data-invalid={error ? true : undefined}>
        <div className="flex items-start gap-2">
          <input
            id={id}
            ref={field.ref}
            type="checkbox"
            className="mt-0.5 size-4 accent-primary"
            checked={field.value === true}
            aria-invalid={error ? true : undefined}
            aria-describedby={
              [spec.description ? `${id}-description` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined
            }
            onChange={(e) => onChange(e.target.checked)}
            onBlur={field.onBlur}
          />
          <div className="grid gap-1">
            <Label htmlFor={id} className={cn(error && "text-destructive")}>
              {spec.label}
            </Label>
            {spec.description ? (
              <p id={`${id}-description`} className="text-sm text-muted-foreground">
                {spec.description}
              </p>
            ) : null}
          </div>
        </div>
        {error ? (
          <div id={`${id}-error`} role="alert" className="text-sm text-destructive">
            {error.map((m) => (
              <p key={m}>{m}</p>
            ))}
          </div>
        ) : null}
      </div>
    );
  }

  const text = typeof field.value === "string" ? field.value : "";
  const description =
    secret && stored
      ? [spec.description, "Leave blank to keep the stored value."].filter(Boolean).join(" ")
      : secret && retype
        ? [spec.description, "The address changed: type it again (a stored secret is only sent to the address it was saved for)."]
            .filter(Boolean)
            .join(" ")
        : spec.description;
  let control: ReactElement;
  if (spec.kind === "file") {
    control = (
      <SourceFileField
        id={id}
        label={spec.label}
        value={text}
        describedBy={spec.description ? `${id}-description` : undefined}
        onChange={onChange}
      />
    );
  } else if (spec.kind === "textarea") {
    control = (
      <Textarea
        id={id}
        ref={field.ref}
        value={text}
        placeholder={spec.placeholder}
        rows={4}
        className="font-mono text-xs"
        onChange={(e) => onChange(e.target.value)}
        onBlur={field.onBlur}
      />
    );
  } else if (spec.kind === "select") {
    control = (
      <NativeSelect id={id} className="w-full" value={text} onChange={(e) => onChange(e.target.value)} onBlur={field.onBlur}>
        {(spec.options ?? []).map((o) => (
          <NativeSelectOption key={o.value} value={o.value}>
            {o.label}
          </NativeSelectOption>
        ))}
      </NativeSelect>
    );
  } else {
    const password = spec.kind === "password" || secret;
    control = (
      <Input
        id={id}
        ref={field.ref}
        type={password ? "password" : spec.kind === "number" ? "number" : "text"}
        inputMode={spec.kind === "number" ? "numeric" : undefined}
        autoComplete={password ? "new-password" : "off"}
        spellCheck={false}
        required={spec.required && !(secret && stored)}
        placeholder={secret && stored ? "•••••••• (unchanged)" : spec.placeholder}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        onBlur={field.onBlur}
      />
    );
  }
  return (
    <FormField
      label={
        <>
          {spec.label}
          {spec.required ? (
            <span aria-hidden="true" className="text-destructive">
              *
            </span>
          ) : null}
        </>
      }
      htmlFor={id}
      error={error}
      description={description}
      className={wide}
    >
      {control}
    </FormField>
  );
}

function TestResult({ result, pending }: { result: ActionResult<TestOutcome> | null; pending: boolean }) {
  if (pending) {
    return (
      <p role="status" className="text-sm text-muted-foreground">
        Connecting to the source…
      </p>
    );
  }
  if (!result) return null;
  if (!result.ok) {
    return (
      <Alert variant="destructive">
        <AlertTitle>The connection could not be tested</AlertTitle>
        <AlertDescription>{result.message}</AlertDescription>
      </Alert>
    );
  }
  const outcome = result.data;
  if (!outcome.ok) {
    return (
      <Alert variant="destructive">
        <AlertTitle>Connection failed ({FAILURE_KINDS[outcome.kind] ?? outcome.kind})</AlertTitle>
        <AlertDescription className="break-words whitespace-pre-wrap">{outcome.message}</AlertDescription>
      </Alert>
    );
  }
  const counts = Object.entries(outcome.counts) as [ObjectType, number][];
  return (
    <Alert variant="success" role="status">
      <AlertTitle>Connection succeeded</AlertTitle>
      <AlertDescription className="grid gap-2">
        <p className="break-words">{outcome.summary}</p>
        {counts.length > 0 ? (
          <dl className="flex flex-wrap gap-x-4 gap-y-1">
            {counts.map(([type, n]) => (
              <div key={type} className="flex gap-1">
                <dt>{OBJECT_TYPE_LABELS[type] ?? type}:</dt>
                <dd className="font-medium tabular-nums">{n}</dd>
              </div>
            ))}
          </dl>
        ) : null}
      </AlertDescription>
    </Alert>
  );
}
