"use client";

/**
 * The one form for creating and editing a direct configuration integration,
 * in three steps: Connection (connector settings, with a connection test),
 * Mapping (source attribute → canonical field per object type) and Optional
 * Configuration (schedule, drop guard, logo, audit evidence: notes in a
 * Lexical editor and files uploaded with progress). The whole form
 * is sent as one JSON document in the hidden `payload` field; the server's
 * field errors (`name`, `config.url`, `mapping.account`…) come back next to
 * their fields and the form jumps to the step holding the first one.
 */
import { startTransition, useActionState, useState, useTransition, type FormEvent, type ReactElement } from "react";
import Link from "next/link";
import { ArrowLeft, ArrowRight, Check, Plus, RotateCcw, Save, Trash2, Zap } from "lucide-react";
import { FormMessage } from "@/components/forms/form-message";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { Textarea } from "@/components/ui/textarea";
import type { ActionResult } from "@/lib/actions";
import { CANONICAL_FIELDS } from "@/lib/connectors/canonical";
import type { ConnectorType, ObjectType } from "@/lib/connectors/types";
import { integrationFieldsSchema } from "@/lib/integrations/schemas";
import { cn } from "@/lib/utils";
import {
  CONFIG_FIELDS,
  CONNECTOR_NOTES,
  OBJECT_TYPE_LABELS,
  type ConfigFieldSpec,
  type ConnectorOption,
} from "./connector-fields";
import { LogoField } from "./logo-field";
import { SourceFileField } from "@/components/uploads/source-file-field";
import { EvidenceFiles } from "@/components/evidence/evidence-files";
import { NotesEditor } from "@/components/evidence/notes-editor";
import type { UploadSummary } from "@/components/uploads/upload-file";
import type { NotesDocument } from "@/lib/evidence/notes";

export type IntegrationFormInitial = {
  id: string;
  name: string;
  connector: ConnectorType;
  active: boolean;
  /** As the service shows it: secrets replaced by a mask. */
  config: Record<string, unknown>;
  mapping: Record<string, Record<string, string>>;
  scheduleMinutes: number | null;
  dropThresholdPercent: number;
  logoUploadId: string | null;
};

type TestOutcome =
  | { ok: true; summary: string; counts: Partial<Record<ObjectType, number>> }
  | { ok: false; kind: string; message: string };

type SaveAction = (prev: ActionResult<unknown> | null, formData: FormData) => Promise<ActionResult<unknown>>;
type TestAction = (input: {
  connector: string;
  config: Record<string, unknown>;
  integrationId?: string;
}) => Promise<ActionResult<TestOutcome>>;

type FieldErrors = Record<string, string[]>;
type ConfigValues = Record<string, string | boolean>;
type MappingRow = { key: number; source: string; field: string };
type MappingRows = Partial<Record<ObjectType, MappingRow[]>>;

const STEPS = [
  { id: "connection", title: "Connection" },
  { id: "mapping", title: "Mapping" },
  { id: "optional", title: "Optional Configuration" },
] as const;
const LAST_STEP = STEPS.length - 1;
const OPTIONAL_KEYS = new Set(["scheduleMinutes", "dropThresholdPercent", "logoUploadId", "logoUrl"]);

const FAILURE_KINDS: Record<string, string> = {
  auth: "authentication",
  unreachable: "unreachable",
  config: "configuration",
  protocol: "protocol",
  rate_limited: "rate limited",
  bad_data: "bad data",
};

function stepOf(errorKey: string): number {
  if (errorKey === "mapping" || errorKey.startsWith("mapping.")) return 1;
  if (OPTIONAL_KEYS.has(errorKey) || errorKey.startsWith("evidence")) return 2;
  return 0;
}

// ---- config objects by dot path ------------------------------------------------

function getPath(obj: Record<string, unknown>, path: string): unknown {
  let current: unknown = obj;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function parentOf(obj: Record<string, unknown>, path: string, create: boolean): [Record<string, unknown>, string] | null {
  const parts = path.split(".");
  let current = obj;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (typeof next !== "object" || next === null || Array.isArray(next)) {
      if (!create) return null;
      current[part] = {};
    }
    current = current[part] as Record<string, unknown>;
  }
  return [current, parts[parts.length - 1]];
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown) {
  const [parent, key] = parentOf(obj, path, true)!;
  parent[key] = value;
}

function deletePath(obj: Record<string, unknown>, path: string) {
  const found = parentOf(obj, path, false);
  if (found) delete found[0][found[1]];
}

function fieldId(path: string) {
  return `config-${path.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

// ---- initial state ----------------------------------------------------------------

let rowSeq = 0;
function rowsFrom(mapping: Record<string, string> | undefined): MappingRow[] {
  return Object.entries(mapping ?? {}).map(([source, field]) => ({ key: ++rowSeq, source, field }));
}

function initialMapping(option: ConnectorOption, saved?: Record<string, Record<string, string>>): MappingRows {
  const hasSaved = !!saved && Object.keys(saved).length > 0;
  return Object.fromEntries(
    option.objectTypes.map((t) => [t, rowsFrom(hasSaved ? (saved[t] ?? {}) : option.defaultMapping[t])]),
  ) as MappingRows;
}

function initialConfig(type: ConnectorType, secretFields: string[], config: Record<string, unknown>): ConfigValues {
  const values: ConfigValues = {};
  for (const spec of CONFIG_FIELDS[type]) {
    const v = getPath(config, spec.path);
    if (spec.kind === "checkbox") values[spec.path] = typeof v === "boolean" ? v : (spec.defaultChecked ?? false);
    // A secret is never shown, not even masked: blank means "keep the stored one".
    else if (secretFields.includes(spec.path)) values[spec.path] = "";
    else values[spec.path] = v === undefined || v === null ? "" : String(v);
  }
  return values;
}

// ---- the form ---------------------------------------------------------------------

export function IntegrationForm({
  connectors,
  initial,
  saveAction,
  testAction,
  canTest = true,
}: {
  connectors: ConnectorOption[];
  /** Present when editing. */
  initial?: IntegrationFormInitial;
  saveAction: SaveAction;
  testAction: TestAction;
  canTest?: boolean;
}) {
  const editing = !!initial;
  const firstConnector = initial?.connector ?? connectors[0].type;
  const optionFor = (type: ConnectorType) => connectors.find((c) => c.type === type) ?? connectors[0];

  const [step, setStep] = useState(0);
  const [name, setName] = useState(initial?.name ?? "");
  const [connector, setConnector] = useState<ConnectorType>(firstConnector);
  const [config, setConfig] = useState<ConfigValues>(() =>
    initialConfig(firstConnector, optionFor(firstConnector).secretFields, initial?.config ?? {}),
  );
  const [mapping, setMapping] = useState<MappingRows>(() => initialMapping(optionFor(firstConnector), initial?.mapping));
  const [scheduleMinutes, setScheduleMinutes] = useState(initial?.scheduleMinutes ? String(initial.scheduleMinutes) : "");
  const [dropThreshold, setDropThreshold] = useState(String(initial?.dropThresholdPercent ?? 30));
  const [logoUploadId, setLogoUploadId] = useState<string | null>(initial?.logoUploadId ?? null);
  const [logoBusy, setLogoBusy] = useState(false);
  const [evidenceNotes, setEvidenceNotes] = useState<NotesDocument | null>(null);
  const [evidenceUploads, setEvidenceUploads] = useState<UploadSummary[]>([]);
  const [evidenceBusy, setEvidenceBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [testResult, setTestResult] = useState<ActionResult<TestOutcome> | null>(null);
  const [testing, startTest] = useTransition();

  const option = optionFor(connector);
  const specs = CONFIG_FIELDS[connector];
  const savedSecrets = option.secretFields.filter((f) => {
    const v = initial && initial.connector === connector ? getPath(initial.config, f) : undefined;
    return v !== undefined && v !== null && v !== "";
  });
  // A stored secret is only sent to the address it was saved for: once the URL changes, it must be typed again.
  const endpointMoved =
    !!initial &&
    initial.connector === connector &&
    specs.some((spec) => spec.endpoint && String(config[spec.path] ?? "").trim() !== String(getPath(initial.config, spec.path) ?? "").trim());
  const storedSecrets = new Set(endpointMoved ? [] : savedSecrets);
  const retypeSecrets = new Set(endpointMoved ? savedSecrets : []);

  const [state, formAction, saving] = useActionState(async (prev: ActionResult<unknown> | null, formData: FormData) => {
    const result = await saveAction(prev, formData);
    if (!result.ok) {
      const fieldErrors = result.fieldErrors ?? {};
      setErrors(fieldErrors);
      const first = Object.keys(fieldErrors)[0];
      if (first) setStep(stepOf(first));
    }
    return result;
  }, null);

  function clearError(...keys: string[]) {
    setErrors((current) => {
      if (!keys.some((k) => k in current)) return current;
      const next = { ...current };
      for (const k of keys) delete next[k];
      return next;
    });
  }

  function errorsFor(key: string): string[] | undefined {
    return errors[key];
  }

  // ---- building the payload ----

  function buildConfig(): Record<string, unknown> {
    // Start from what is stored so settings the form does not show (timeouts,
    // CSV header mappings…) survive an edit; masked secrets are dropped, which
    // tells the service to keep the stored secret.
    const base: Record<string, unknown> = initial && initial.connector === connector ? structuredClone(initial.config) : {};
    for (const f of option.secretFields) deletePath(base, f);
    for (const spec of specs) {
      if (spec.path.includes(".")) parentOf(base, spec.path, true);
      const v = config[spec.path];
      if (spec.kind === "checkbox") {
        setPath(base, spec.path, v === true);
        continue;
      }
      const raw = typeof v === "string" ? v : "";
      const text = spec.kind === "password" || spec.kind === "select" ? raw : raw.trim();
      if (text === "") {
        deletePath(base, spec.path);
      } else if (spec.kind === "number") {
        const n = Number(text);
        setPath(base, spec.path, Number.isFinite(n) ? n : text);
      } else {
        setPath(base, spec.path, text);
      }
    }
    return base;
  }

  function buildMapping(): Record<string, Record<string, string>> {
    return Object.fromEntries(
      option.objectTypes.map((t) => [t, Object.fromEntries((mapping[t] ?? []).map((r) => [r.source.trim(), r.field]))]),
    );
  }

  function buildPayload() {
    const schedule = scheduleMinutes.trim();
    const threshold = dropThreshold.trim();
    const asNumber = (s: string) => (Number.isFinite(Number(s)) ? Number(s) : s);
    return {
      name: name.trim(),
      connector,
      config: buildConfig(),
      mapping: buildMapping(),
      scheduleMinutes: schedule === "" ? null : asNumber(schedule),
      dropThresholdPercent: threshold === "" ? undefined : asNumber(threshold),
      // Sent only when it changes: saving the same logo again is no change.
      ...(logoUploadId !== (initial?.logoUploadId ?? null) ? { logoUploadId } : {}),
      ...(evidenceNotes || evidenceUploads.length
        ? { evidence: { notes: evidenceNotes ?? undefined, uploadIds: evidenceUploads.map((u) => u.id) } }
        : {}),
    };
  }

  // ---- client-side checks (the server checks everything again) ----

  function mappingProblems(): FieldErrors {
    const problems: FieldErrors = {};
    for (const t of option.objectTypes) {
      const seen = new Set<string>();
      for (const [i, row] of (mapping[t] ?? []).entries()) {
        const source = row.source.trim();
        const list = (problems[`mapping.${t}`] ??= []);
        if (!source) list.push(`Row ${i + 1}: enter a source attribute`);
        else if (seen.has(source.toLowerCase())) list.push(`Row ${i + 1}: “${source}” is mapped twice`);
        seen.add(source.toLowerCase());
      }
      if (problems[`mapping.${t}`]?.length === 0) delete problems[`mapping.${t}`];
    }
    return problems;
  }

  function checkStep(s: number): boolean {
    if (s === 0) {
      const parsed = integrationFieldsSchema.shape.name.safeParse(name);
      if (!parsed.success) {
        setErrors((e) => ({ ...e, name: parsed.error.issues.map((i) => i.message) }));
        return false;
      }
    }
    if (s === 1) {
      const problems = mappingProblems();
      if (Object.keys(problems).length > 0) {
        setErrors((e) => ({ ...e, ...problems }));
        return false;
      }
    }
    return true;
  }

  function goTo(target: number) {
    if (target > step) {
      for (let s = step; s < target; s++) {
        if (!checkStep(s)) {
          setStep(s);
          return;
        }
      }
    }
    setStep(target);
  }

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (step < LAST_STEP) {
      goTo(step + 1);
      return;
    }
    for (let s = 0; s < LAST_STEP; s++) {
      if (!checkStep(s)) {
        setStep(s);
        return;
      }
    }
    const formData = new FormData(e.currentTarget);
    startTransition(() => formAction(formData));
  }

  function runTest() {
    startTest(async () => {
      const result = await testAction({ connector, config: buildConfig(), integrationId: initial?.id });
      setTestResult(result);
      if (!result.ok && result.fieldErrors) {
        const configErrors = Object.fromEntries(Object.entries(result.fieldErrors).filter(([k]) => k.startsWith("config")));
        setErrors((e) => ({ ...e, ...configErrors }));
      }
    });
  }

  function changeConnector(type: ConnectorType) {
    const next = optionFor(type);
    setConnector(type);
    setConfig(initialConfig(type, next.secretFields, {}));
    setMapping(initialMapping(next));
    setTestResult(null);
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith("config") && !k.startsWith("mapping"))));
  }

  // ---- rendering ----

  const payload = JSON.stringify(buildPayload());
  const shownConfigKeys = new Set(specs.map((s) => `config.${s.path}`));
  const otherConfigErrors = Object.entries(errors).filter(
    ([k]) => (k === "config" || k.startsWith("config.")) && !shownConfigKeys.has(k),
  );

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-6" aria-label={editing ? `Edit ${initial.name}` : "New integration"}>
      <input type="hidden" name="payload" value={payload} />
      {editing ? <input type="hidden" name="id" value={initial.id} /> : null}

      <nav aria-label="Steps">
        <ol className="flex flex-wrap items-center gap-2">
          {STEPS.map((s, i) => {
            const hasErrors = Object.keys(errors).some((k) => stepOf(k) === i);
            return (
              <li key={s.id} className="flex items-center gap-2">
                {i > 0 ? <span aria-hidden="true" className="h-px w-6 bg-border" /> : null}
                <button
                  type="button"
                  onClick={() => goTo(i)}
                  aria-current={i === step ? "step" : undefined}
                  className={cn(
                    "flex items-center gap-2 rounded-md px-2 py-1 text-sm outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                    i === step ? "font-semibold text-foreground" : "text-muted-foreground hover:text-foreground",
                  )}
                >
                  <span
                    className={cn(
                      "flex size-6 items-center justify-center rounded-full border text-xs",
                      i === step && "border-primary bg-primary text-primary-foreground",
                      i < step && !hasErrors && "border-primary text-primary",
                      hasErrors && "border-destructive text-destructive",
                    )}
                  >
                    {i < step && !hasErrors ? <Check aria-hidden="true" className="size-3.5" /> : i + 1}
                  </span>
                  {s.title}
                  {hasErrors ? <span className="sr-only"> (has errors)</span> : null}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>

      {/* The summary goes once the fields it is about have been corrected. */}
      {state && !state.ok && state.fieldErrors && Object.keys(errors).length === 0 ? null : <FormMessage state={state} />}

      {step === 0 ? (
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
              error={errorsFor("name")}
            >
              <Input
                id="name"
                value={name}
                required
                maxLength={120}
                autoComplete="off"
                onChange={(e) => {
                  setName(e.target.value);
                  clearError("name");
                }}
              />
            </FormField>
            <FormField
              label="Connector"
              htmlFor="connector"
              error={errorsFor("connector")}
              description={editing ? "The connector type is fixed once the integration exists." : undefined}
            >
              <NativeSelect
                id="connector"
                className="w-full"
                value={connector}
                disabled={editing}
                onChange={(e) => changeConnector(e.target.value as ConnectorType)}
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
            {CONNECTOR_NOTES[connector] ? (
              <p className="text-sm text-muted-foreground">{CONNECTOR_NOTES[connector]}</p>
            ) : null}
            {otherConfigErrors.length > 0 ? (
              <Alert variant="destructive">
                <AlertDescription>
                  {otherConfigErrors.flatMap(([k, messages]) =>
                    messages.map((m) => (
                      <p key={`${k}:${m}`}>
                        {k === "config" ? m : `${k.slice("config.".length)}: ${m}`}
                      </p>
                    )),
                  )}
                </AlertDescription>
              </Alert>
            ) : null}
            <div className="grid gap-4 sm:grid-cols-2">
              {specs.map((spec) => (
                <ConfigField
                  key={`${connector}:${spec.path}`}
                  spec={spec}
                  value={config[spec.path]}
                  error={errorsFor(`config.${spec.path}`)}
                  secret={option.secretFields.includes(spec.path)}
                  stored={storedSecrets.has(spec.path)}
                  retype={retypeSecrets.has(spec.path)}
                  onChange={(v) => {
                    setConfig((c) => ({ ...c, [spec.path]: v }));
                    clearError(`config.${spec.path}`);
                  }}
                />
              ))}
            </div>
          </fieldset>

          {canTest ? (
            <div className="grid gap-3">
              <div className="flex flex-wrap items-center gap-3">
                <Button type="button" variant="outline" onClick={runTest} disabled={testing}>
                  <Zap aria-hidden="true" /> {testing ? "Testing…" : "Test connection"}
                </Button>
                <span className="text-sm text-muted-foreground">
                  Checks these settings against the source without saving them.
                </span>
              </div>
              <TestResult result={testResult} pending={testing} />
            </div>
          ) : null}
        </section>
      ) : null}

      {step === 1 ? (
        <section aria-labelledby="step-mapping" className="grid gap-5">
          <div className="grid gap-1">
            <h2 id="step-mapping" className="text-lg font-semibold">
              Mapping
            </h2>
            <p className="text-sm text-muted-foreground">
              Which source attribute fills which canonical identity field. Attribute names match case-insensitively; nested
              values use dots (name.givenName). The record&apos;s own id is used when nothing maps to externalId.
            </p>
          </div>
          {errorsFor("mapping") ? (
            <Alert variant="destructive">
              <AlertDescription>{errorsFor("mapping")!.join(" ")}</AlertDescription>
            </Alert>
          ) : null}
          {option.objectTypes.map((type) => (
            <MappingSection
              key={`${connector}:${type}`}
              type={type}
              rows={mapping[type] ?? []}
              errors={Object.entries(errors)
                .filter(([k]) => k === `mapping.${type}` || k.startsWith(`mapping.${type}.`))
                .flatMap(([k, messages]) =>
                  k === `mapping.${type}` ? messages : messages.map((m) => `${k.slice(`mapping.${type}.`.length)}: ${m}`),
                )}
              onChange={(rows) => {
                setMapping((m) => ({ ...m, [type]: rows }));
                setErrors((e) =>
                  Object.fromEntries(Object.entries(e).filter(([k]) => k !== `mapping.${type}` && !k.startsWith(`mapping.${type}.`))),
                );
              }}
              onRestore={() => {
                setMapping((m) => ({ ...m, [type]: rowsFrom(option.defaultMapping[type]) }));
                clearError(`mapping.${type}`);
              }}
            />
          ))}
        </section>
      ) : null}

      {step === 2 ? (
        <section aria-labelledby="step-optional" className="grid gap-5">
          <h2 id="step-optional" className="text-lg font-semibold">
            Optional Configuration
          </h2>
          <div className="grid gap-4 sm:grid-cols-2">
            <FormField
              label="Sync schedule (minutes)"
              htmlFor="scheduleMinutes"
              error={errorsFor("scheduleMinutes")}
              description="Sync every N minutes (5 to 10080). Leave blank to sync only on demand."
            >
              <Input
                id="scheduleMinutes"
                type="number"
                inputMode="numeric"
                min={5}
                max={10080}
                value={scheduleMinutes}
                onChange={(e) => {
                  setScheduleMinutes(e.target.value);
                  clearError("scheduleMinutes");
                }}
              />
            </FormField>
            <FormField
              label="Drop threshold (%)"
              htmlFor="dropThresholdPercent"
              error={errorsFor("dropThresholdPercent")}
              description="A full sync that finds more than this share fewer objects than the last applied one is held for an admin to release."
            >
              <Input
                id="dropThresholdPercent"
                type="number"
                inputMode="numeric"
                min={1}
                max={100}
                value={dropThreshold}
                onChange={(e) => {
                  setDropThreshold(e.target.value);
                  clearError("dropThresholdPercent");
                }}
              />
            </FormField>
            <div className="sm:col-span-2">
              <LogoField
                integrationId={initial?.id}
                name={name}
                value={logoUploadId}
                saved={initial?.logoUploadId ?? null}
                error={errorsFor("logoUploadId")}
                onChange={(id) => {
                  setLogoUploadId(id);
                  clearError("logoUploadId");
                }}
                onBusyChange={setLogoBusy}
              />
            </div>
          </div>

          <section aria-labelledby="audit-evidence" className="grid gap-4 rounded-lg border p-4">
            <div className="grid gap-1">
              <h3 id="audit-evidence" className="font-medium">
                Audit Evidence
              </h3>
              <p className="text-sm text-muted-foreground">
                Optional. Notes and files saved here belong to the sync this save starts, are hashed into the ledger, and cannot be edited later: new evidence
                makes a new record.
              </p>
            </div>
            <div className="grid gap-2">
              <span className="text-sm font-medium">Notes</span>
              <NotesEditor id="evidence-notes" label="Evidence notes" onChange={setEvidenceNotes} />
            </div>
            <div className="grid gap-2">
              <Label htmlFor="evidence-files">Files</Label>
              <EvidenceFiles onChange={setEvidenceUploads} onBusyChange={setEvidenceBusy} />
            </div>
            {errors["evidence"] || errors["evidence.uploadIds"] ? (
              <p role="alert" className="text-sm text-destructive">
                {[...(errors["evidence"] ?? []), ...(errors["evidence.uploadIds"] ?? [])].join(" ")}
              </p>
            ) : null}
          </section>

          {editing && !initial.active ? (
            <Alert variant="warning">
              <AlertDescription>This integration is deactivated: saving does not start a sync until it is activated.</AlertDescription>
            </Alert>
          ) : (
            <p className="text-sm text-muted-foreground">Saving starts a sync with the new configuration.</p>
          )}
        </section>
      ) : null}

      <div className="flex flex-wrap items-center justify-between gap-3 border-t pt-4">
        <Button variant="ghost" asChild>
          <Link href="/integrations">Cancel</Link>
        </Button>
        <div className="flex gap-2">
          <Button type="button" variant="outline" onClick={() => setStep((s) => Math.max(0, s - 1))} disabled={step === 0}>
            <ArrowLeft aria-hidden="true" /> Back
          </Button>
          {step < LAST_STEP ? (
            // Distinct keys: React must not turn the clicked "Next" button into the submit button
            // during its own click, or the browser would submit the form.
            <Button key="next" type="button" onClick={() => goTo(step + 1)}>
              Next <ArrowRight aria-hidden="true" />
            </Button>
          ) : (
            <Button key="save" type="submit" disabled={saving || evidenceBusy || logoBusy} title={evidenceBusy || logoBusy ? "Wait for the uploads to finish" : undefined}>
              <Save aria-hidden="true" /> {saving ? "Saving…" : evidenceBusy || logoBusy ? "Uploading…" : "Save"}
            </Button>
          )}
        </div>
      </div>
    </form>
  );
}

function ConfigField({
  spec,
  value,
  error,
  secret,
  stored,
  retype = false,
  onChange,
}: {
  spec: ConfigFieldSpec;
  value: string | boolean | undefined;
  error?: string[];
  secret: boolean;
  stored: boolean;
  /** A secret is stored, but the address changed: it must be typed again. */
  retype?: boolean;
  onChange: (value: string | boolean) => void;
}) {
  const id = fieldId(spec.path);
  const wide = spec.wide ? "sm:col-span-2" : undefined;
  if (spec.kind === "checkbox") {
    return (
      <div className={cn("grid gap-1", wide)} data-invalid={error ? true : undefined}>
        <div className="flex items-start gap-2">
          <input
            id={id}
            type="checkbox"
            className="mt-0.5 size-4 accent-primary"
            checked={value === true}
            aria-invalid={error ? true : undefined}
            aria-describedby={[spec.description ? `${id}-description` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined}
            onChange={(e) => onChange(e.target.checked)}
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

  const text = typeof value === "string" ? value : "";
  const description =
    secret && stored
      ? [spec.description, "Leave blank to keep the stored value."].filter(Boolean).join(" ")
      : secret && retype
        ? [spec.description, "The address changed: type it again (a stored secret is only sent to the address it was saved for)."].filter(Boolean).join(" ")
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
      <Textarea id={id} value={text} placeholder={spec.placeholder} rows={4} className="font-mono text-xs" onChange={(e) => onChange(e.target.value)} />
    );
  } else if (spec.kind === "select") {
    control = (
      <NativeSelect id={id} className="w-full" value={text} onChange={(e) => onChange(e.target.value)}>
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
        type={password ? "password" : spec.kind === "number" ? "number" : "text"}
        inputMode={spec.kind === "number" ? "numeric" : undefined}
        autoComplete={password ? "new-password" : "off"}
        spellCheck={false}
        required={spec.required && !(secret && stored)}
        placeholder={secret && stored ? "•••••••• (unchanged)" : spec.placeholder}
        value={text}
        onChange={(e) => onChange(e.target.value)}
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

function MappingSection({
  type,
  rows,
  errors,
  onChange,
  onRestore,
}: {
  type: ObjectType;
  rows: MappingRow[];
  errors: string[];
  onChange: (rows: MappingRow[]) => void;
  onRestore: () => void;
}) {
  const label = OBJECT_TYPE_LABELS[type];
  const fields = CANONICAL_FIELDS[type] as readonly string[];
  const update = (index: number, patch: Partial<MappingRow>) => onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <fieldset className="grid gap-3 rounded-lg border p-4" aria-invalid={errors.length > 0 || undefined}>
      <legend className="px-1 text-sm font-medium">{label}</legend>
      {rows.length === 0 ? (
        <p className="text-sm text-muted-foreground">No attributes mapped: records keep only their id.</p>
      ) : (
        <div className="grid gap-2">
          <div className="hidden grid-cols-[1fr_auto_1fr_auto] gap-2 text-xs font-medium tracking-wide text-muted-foreground uppercase sm:grid">
            <span>Source attribute</span>
            <span aria-hidden="true" className="w-4" />
            <span>Canonical field</span>
            <span className="w-9" />
          </div>
          {rows.map((row, i) => (
            <div key={row.key} className="grid grid-cols-[1fr_auto_1fr_auto] items-center gap-2">
              <Input
                aria-label={`${label} source attribute ${i + 1}`}
                value={row.source}
                title={row.source || undefined}
                spellCheck={false}
                autoComplete="off"
                className="font-mono text-xs"
                onChange={(e) => update(i, { source: e.target.value })}
              />
              <ArrowRight aria-hidden="true" className="size-4 text-muted-foreground" />
              <NativeSelect
                aria-label={`${label} canonical field ${i + 1}`}
                className="w-full"
                value={row.field}
                onChange={(e) => update(i, { field: e.target.value })}
              >
                {fields.includes(row.field) ? null : (
                  <NativeSelectOption value={row.field} disabled>
                    {row.field} (unknown)
                  </NativeSelectOption>
                )}
                {fields.map((f) => (
                  <NativeSelectOption key={f} value={f}>
                    {f}
                  </NativeSelectOption>
                ))}
              </NativeSelect>
              <Button
                type="button"
                variant="ghost"
                size="icon"
                aria-label={`Remove ${label} row ${i + 1}`}
                onClick={() => onChange(rows.filter((_, j) => j !== i))}
              >
                <Trash2 aria-hidden="true" />
              </Button>
            </div>
          ))}
        </div>
      )}
      {errors.length > 0 ? (
        <div role="alert" className="grid gap-0.5 text-sm text-destructive">
          {errors.map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <Button
          type="button"
          variant="outline"
          size="sm"
          aria-label={`Add ${label} attribute`}
          onClick={() => onChange([...rows, { key: ++rowSeq, source: "", field: fields[0] }])}
        >
          <Plus aria-hidden="true" /> Add attribute
        </Button>
        <Button type="button" variant="ghost" size="sm" aria-label={`Restore default ${label} mapping`} onClick={onRestore}>
          <RotateCcw aria-hidden="true" /> Restore defaults
        </Button>
      </div>
    </fieldset>
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
