"use client";

/**
 * The one form for creating and editing a direct configuration integration,
 * in three steps: Connection (connector settings, with a connection test),
 * Mapping (source attribute → canonical field per object type) and Optional
 * Configuration (schedule, drop guard, logo, audit evidence). Values live in
 * react-hook-form and are checked with the server's own schemas (resolver.ts);
 * the save sends them as one JSON document in the `payload` field
 * (payload.ts). The server's field errors (`name`, `config.url`,
 * `mapping.account`…) come back next to their fields and the form jumps to
 * the step holding the first one.
 */
import { startTransition, useActionState, useMemo, useState, useTransition, type FormEvent } from "react";
import Link from "next/link";
import { FormProvider, useForm, useWatch, type FieldErrors as HookFieldErrors } from "react-hook-form";
import { ArrowLeft, ArrowRight, Save } from "lucide-react";
import { FormMessage } from "@/components/forms/form-message";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/actions";
import type { ConnectorType } from "@/lib/connectors/types";
import type { ConnectorOption } from "../connector-fields";
import { ConnectionStep, type TestOutcome } from "./connection-step";
import { MappingStep } from "./mapping-step";
import { OptionalStep } from "./optional-step";
import {
  configPayload,
  configValues,
  initialValues,
  integrationPayload,
  LAST_STEP,
  mappingRows,
  secretStates,
  stepOf,
  type FieldErrors,
  type IntegrationFormValues,
  type StoredIntegration,
} from "./payload";
import { flattenErrors, integrationResolver } from "./resolver";
import { Stepper } from "./stepper";

export type IntegrationFormInitial = StoredIntegration & {
  id: string;
  name: string;
  active: boolean;
};

type SaveAction = (prev: ActionResult<unknown> | null, formData: FormData) => Promise<ActionResult<unknown>>;
type TestAction = (input: {
  connector: string;
  config: Record<string, unknown>;
  integrationId?: string;
}) => Promise<ActionResult<TestOutcome>>;

/** The fields each step checks before the next one opens; the last step's are checked on save. */
const STEP_FIELDS: Record<number, ("name" | "mapping")[]> = { 0: ["name"], 1: ["mapping"] };

function withoutKey(errors: FieldErrors, key: string): FieldErrors {
  if (!Object.keys(errors).some((k) => k === key || k.startsWith(`${key}.`))) return errors;
  return Object.fromEntries(Object.entries(errors).filter(([k]) => k !== key && !k.startsWith(`${key}.`)));
}

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
  const optionFor = (type: ConnectorType) => connectors.find((c) => c.type === type) ?? connectors[0];
  const form = useForm<IntegrationFormValues>({
    defaultValues: initialValues(optionFor(initial?.connector ?? connectors[0].type), initial),
    resolver: useMemo(() => integrationResolver(connectors, initial), [connectors, initial]),
    criteriaMode: "all",
  });
  const [step, setStep] = useState(0);
  // Errors the server reported, keyed as it keys them; the client's own checks live in the form state.
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [evidenceBusy, setEvidenceBusy] = useState(false);
  const [logoBusy, setLogoBusy] = useState(false);
  const [testResult, setTestResult] = useState<ActionResult<TestOutcome> | null>(null);
  const [testing, startTest] = useTransition();

  const [connector, config] = useWatch({ control: form.control, name: ["connector", "config"] });
  const option = optionFor(connector);
  const secrets = secretStates({ connector, config }, option, initial);

  const clientErrors = flattenErrors(form.formState.errors);
  const errors: FieldErrors = { ...clientErrors };
  for (const [k, messages] of Object.entries(serverErrors)) errors[k] = [...(errors[k] ?? []), ...messages];

  const [state, formAction, saving] = useActionState(async (prev: ActionResult<unknown> | null, formData: FormData) => {
    const result = await saveAction(prev, formData);
    if (!result.ok) {
      const fieldErrors = result.fieldErrors ?? {};
      setServerErrors(fieldErrors);
      const first = Object.keys(fieldErrors)[0];
      if (first) setStep(stepOf(first));
    }
    return result;
  }, null);

  function onEdited(key: string) {
    form.clearErrors(key as keyof IntegrationFormValues);
    setServerErrors((current) => withoutKey(current, key));
  }

  async function goTo(target: number) {
    for (let s = step; s < target; s++) {
      const fields = STEP_FIELDS[s];
      if (fields && !(await form.trigger(fields))) {
        setStep(s);
        return;
      }
    }
    setStep(target);
  }

  function changeConnector(type: ConnectorType) {
    const next = optionFor(type);
    form.setValue("connector", type);
    form.setValue("config", configValues(next));
    form.setValue("mapping", mappingRows(next));
    form.clearErrors(["config", "mapping"]);
    setServerErrors((e) => withoutKey(withoutKey(e, "config"), "mapping"));
    setTestResult(null);
  }

  function runTest() {
    startTest(async () => {
      const result = await testAction({ connector, config: configPayload(form.getValues(), option, initial), integrationId: initial?.id });
      setTestResult(result);
      if (!result.ok && result.fieldErrors) {
        const configErrors = Object.fromEntries(Object.entries(result.fieldErrors).filter(([k]) => k.startsWith("config")));
        setServerErrors((e) => ({ ...e, ...configErrors }));
      }
    });
  }

  const save = form.handleSubmit(
    (values) => {
      const formData = new FormData();
      formData.set("payload", JSON.stringify(integrationPayload(values, optionFor(values.connector), initial)));
      if (initial) formData.set("id", initial.id);
      startTransition(() => formAction(formData));
    },
    (invalid: HookFieldErrors<IntegrationFormValues>) => {
      const first = Object.keys(flattenErrors(invalid))[0];
      if (first) setStep(stepOf(first));
    },
  );

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    if (step < LAST_STEP) {
      e.preventDefault();
      void goTo(step + 1);
      return;
    }
    void save(e);
  }

  const stepsWithErrors = new Set(Object.keys(errors).map(stepOf));

  return (
    <FormProvider {...form}>
      <form onSubmit={onSubmit} noValidate className="grid gap-6" aria-label={editing ? `Edit ${initial.name}` : "New integration"}>
        <Stepper step={step} stepsWithErrors={stepsWithErrors} onSelect={(s) => void goTo(s)} />

        {/* The summary goes once the fields it is about have been corrected. */}
        {state && !state.ok && state.fieldErrors && Object.keys(errors).length === 0 ? null : <FormMessage state={state} />}

        {step === 0 ? (
          <ConnectionStep
            connectors={connectors}
            option={option}
            editing={editing}
            errors={errors}
            onEdited={onEdited}
            onConnectorChange={changeConnector}
            secrets={secrets}
            test={canTest ? { run: runTest, pending: testing, result: testResult } : undefined}
          />
        ) : null}
        {step === 1 ? <MappingStep option={option} errors={errors} onEdited={onEdited} /> : null}
        {step === 2 ? (
          <OptionalStep
            errors={errors}
            onEdited={onEdited}
            onEvidenceBusyChange={setEvidenceBusy}
            onLogoBusyChange={setLogoBusy}
            integrationId={initial?.id}
            savedLogoUploadId={initial?.logoUploadId ?? null}
            inactive={editing && !initial.active}
          />
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
              <Button key="next" type="button" onClick={() => void goTo(step + 1)}>
                Next <ArrowRight aria-hidden="true" />
              </Button>
            ) : (
              <Button
                key="save"
                type="submit"
                disabled={saving || evidenceBusy || logoBusy}
                title={evidenceBusy || logoBusy ? "Wait for the uploads to finish" : undefined}
              >
                <Save aria-hidden="true" /> {saving ? "Saving…" : evidenceBusy || logoBusy ? "Uploading…" : "Save"}
              </Button>
            )}
          </div>
        </div>
      </form>
    </FormProvider>
  );
}
