"use client";

/**
 * The new-campaign form: name, due date, reviewers, and the filter that picks
 * what is reviewed (integrations, entity types, groups, account conditions),
 * with a live preview of how many items each integration would contribute.
 * Values live in react-hook-form and are checked with the service's own
 * schema; the service checks again, and its field errors (`name`,
 * `filter.integrationIds`, `reviewerMode`…) come back beside their fields.
 */
import { useEffect, useMemo, useRef, useState, useTransition } from "react";
import Link from "next/link";
import { zodResolver } from "@hookform/resolvers/zod";
import { useFieldArray, useForm, useWatch } from "react-hook-form";
import { Plus, X } from "lucide-react";
import { FormMessage } from "@/components/forms/form-message";
import { IntegrationLogo } from "@/components/integrations/integration-logo";
import { flattenErrors } from "@/components/integrations/integration-form/resolver";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { Textarea } from "@/components/ui/textarea";
import type { ActionResult } from "@/lib/actions";
import { createCampaignSchema, MAX_CAMPAIGN_CONDITIONS, type CreateCampaignInput } from "@/lib/campaigns/schemas";
import {
  CAMPAIGN_ENTITY_TYPES,
  CANONICAL_FIELDS,
  CONDITION_OPERATOR_LABELS,
  CONDITION_OPERATORS,
  OBJECT_TYPE_LABELS,
  type ConditionOperator,
  type ObjectType,
} from "@/lib/domain/enums";
import { asSentence, formatCount, formatDateTime } from "@/lib/format";
import { cn } from "@/lib/utils";

export type IntegrationChoice = {
  id: string;
  name: string;
  logoUploadId: string | null;
  active: boolean;
  ownerEmail: string | null;
  lastSyncStatus: string | null;
};
export type ReviewerChoice = { userId: string; name: string | null; email: string; role: string };
export type GrantChoice = { integrationId: string; objectType: string; externalId: string; name: string | null };
type IntegrationPreview = {
  integrationId: string;
  name: string;
  sync: { id: string; endedAt: string | null } | null;
  counts: Partial<Record<ObjectType, number>>;
  total: number;
};
export type Preview = { integrations: IntegrationPreview[]; total: number; problems: string[] };

type FormValues = {
  name: string;
  description: string;
  dueDate: string;
  reviewerMode: "members" | "owners";
  reviewerIds: string[];
  filter: {
    integrationIds: string[];
    entityTypes: ObjectType[];
    groups: string[];
    conditions: { field: string; operator: ConditionOperator; value: string }[];
  };
  start: boolean;
};

const ACCOUNT_FIELDS = CANONICAL_FIELDS.account as readonly string[];
/** Values worth suggesting per account field: the CSV connector normalises status to these two. */
const VALUE_HINTS: Record<string, string[]> = { status: ["active", "disabled"] };
const PREVIEW_DELAY_MS = 400;

type Errors = Record<string, string[]>;

function errorsUnder(errors: Errors, key: string): string[] | undefined {
  const out = Object.entries(errors)
    .filter(([k]) => k === key)
    .flatMap(([, v]) => v);
  return out.length ? out : undefined;
}

export function CampaignForm({
  integrations,
  reviewers,
  previewAction,
  grantChoicesAction,
  createAction,
}: {
  integrations: IntegrationChoice[];
  reviewers: ReviewerChoice[];
  previewAction: (input: unknown) => Promise<ActionResult<Preview>>;
  grantChoicesAction: (integrationIds: string[]) => Promise<ActionResult<GrantChoice[]>>;
  createAction: (input: unknown) => Promise<ActionResult<{ id: string }>>;
}) {
  const form = useForm<FormValues>({
    defaultValues: {
      name: "",
      description: "",
      dueDate: new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10),
      reviewerMode: "members",
      reviewerIds: [],
      filter: { integrationIds: [], entityTypes: ["account", "membership"], groups: [], conditions: [] },
      start: true,
    },
    // The raw values go to the server, which parses them with the same schema.
    resolver: zodResolver(createCampaignSchema as never, undefined, { raw: true }) as never,
    criteriaMode: "all",
  });
  const conditions = useFieldArray({ control: form.control, name: "filter.conditions" });
  const [serverErrors, setServerErrors] = useState<Errors>({});
  const [state, setState] = useState<ActionResult<unknown> | null>(null);
  const [saving, startSaving] = useTransition();
  const [preview, setPreview] = useState<{ result: ActionResult<Preview> | null; pending: boolean }>({ result: null, pending: false });
  const [choices, setChoices] = useState<GrantChoice[]>([]);
  const [groupDraft, setGroupDraft] = useState("");

  const errors: Errors = { ...flattenErrors(form.formState.errors) };
  for (const [k, v] of Object.entries(serverErrors)) errors[k] = [...(errors[k] ?? []), ...v];
  const err = (key: string) => errorsUnder(errors, key);

  const [filter, reviewerMode, start, reviewerIds] = useWatch({
    control: form.control,
    name: ["filter", "reviewerMode", "start", "reviewerIds"],
  });
  const filterKey = JSON.stringify(filter);
  const integrationKey = JSON.stringify(filter.integrationIds);

  // The preview follows the filter, a moment after the last change; a stale answer is dropped.
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    const current = JSON.parse(filterKey) as FormValues["filter"];
    if (current.integrationIds.length === 0 || current.entityTypes.length === 0) {
      setPreview({ result: null, pending: false });
      return;
    }
    setPreview((p) => ({ ...p, pending: true }));
    const timer = setTimeout(async () => {
      const result = await previewAction({ filter: current }).catch(
        (): ActionResult<Preview> => ({ ok: false, code: "internal", message: "The preview could not be loaded; try again." }),
      );
      if (seq.current === mine) setPreview({ result, pending: false });
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [filterKey, previewAction]);

  useEffect(() => {
    const ids = JSON.parse(integrationKey) as string[];
    if (ids.length === 0) {
      setChoices([]);
      return;
    }
    let live = true;
    void grantChoicesAction(ids).then((r) => {
      if (live && r.ok) setChoices(r.data);
    });
    return () => {
      live = false;
    };
  }, [integrationKey, grantChoicesAction]);

  const nameOfIntegration = useMemo(() => new Map(integrations.map((i) => [i.id, i.name])), [integrations]);
  const choiceName = useMemo(() => {
    const m = new Map<string, string>();
    for (const c of choices) if (c.name && !m.has(c.externalId)) m.set(c.externalId, c.name);
    return m;
  }, [choices]);

  function edited(key: string) {
    // A refusal is about the values as they were; once they change it no longer applies.
    setState((s) => (s && !s.ok && !s.fieldErrors ? null : s));
    setServerErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== key && !k.startsWith(`${key}.`))));
  }

  function toggle<T extends string>(list: T[], value: T, on: boolean): T[] {
    return on ? [...new Set([...list, value])] : list.filter((v) => v !== value);
  }

  /** Checkbox lists are kept as arrays by hand: a lone registered checkbox would read as a boolean. */
  function setList(name: "reviewerIds" | "filter.integrationIds" | "filter.entityTypes", value: string[]) {
    form.setValue(name, value as never, { shouldDirty: true, shouldValidate: form.formState.isSubmitted });
    edited(name);
  }

  function addGroup() {
    const value = groupDraft.trim();
    if (!value) return;
    form.setValue("filter.groups", [...new Set([...form.getValues("filter.groups"), value])], { shouldDirty: true });
    setGroupDraft("");
    edited("filter.groups");
  }

  const previewProblems = preview.result?.ok ? preview.result.data.problems : [];

  const submit = form.handleSubmit((values) => {
    if (previewProblems.length) {
      setState({ ok: false, code: "unprocessable", message: `The campaign cannot be created yet: ${previewProblems.join(" ")}` });
      return;
    }
    startSaving(async () => {
      const result = await createAction(values as CreateCampaignInput);
      if (result && !result.ok) {
        setServerErrors(result.fieldErrors ?? {});
        setState(result);
      }
    });
  });

  const integrationError = err("filter.integrationIds");
  return (
    <form onSubmit={submit} noValidate aria-label="New campaign" className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,22rem)]">
      <div className="grid min-w-0 content-start gap-6">
        {state && !state.ok && Object.keys(errors).length > 0 && state.fieldErrors ? (
          <Alert variant="destructive">
            <AlertDescription>Some fields need attention: see the messages beside them.</AlertDescription>
          </Alert>
        ) : (
          <FormMessage state={state} />
        )}

        <section aria-labelledby="campaign-basics" className="grid gap-4">
          <h2 id="campaign-basics" className="text-base font-semibold">
            Campaign
          </h2>
          <FormField label="Name" htmlFor="name" error={err("name")}>
            <Input id="name" autoComplete="off" {...form.register("name", { onChange: () => edited("name") })} />
          </FormField>
          <FormField label="Description" htmlFor="description" error={err("description")} description="Optional: what is reviewed and why.">
            <Textarea id="description" rows={3} {...form.register("description", { onChange: () => edited("description") })} />
          </FormField>
          <FormField label="Due date" htmlFor="dueDate" error={err("dueDate")}>
            <Input
              id="dueDate"
              type="date"
              className="w-full sm:w-48"
              {...form.register("dueDate", { onChange: () => edited("dueDate") })}
            />
          </FormField>
        </section>

        <fieldset className="grid gap-3" aria-describedby={err("reviewerMode") ? "reviewerMode-error" : undefined}>
          <legend className="mb-2 text-base font-semibold">Reviewers</legend>
          <div className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
            <label className="flex items-center gap-2">
              <input
                type="radio"
                value="members"
                className="size-4 accent-primary"
                {...form.register("reviewerMode", { onChange: () => edited("reviewerMode") })}
              />
              Chosen members
            </label>
            <label className="flex items-center gap-2">
              <input
                type="radio"
                value="owners"
                className="size-4 accent-primary"
                {...form.register("reviewerMode", { onChange: () => edited("reviewerMode") })}
              />
              Each integration&apos;s owner
            </label>
          </div>
          {reviewerMode === "members" ? (
            reviewers.length ? (
              <fieldset className="grid gap-2">
                <legend className="sr-only">Reviewers to deal the items to</legend>
                {reviewers.map((r) => (
                  <label key={r.userId} className="flex min-w-0 items-start gap-2 text-sm">
                    <input
                      type="checkbox"
                      className="mt-0.5 size-4 shrink-0 accent-primary"
                      checked={reviewerIds.includes(r.userId)}
                      onChange={(e) => setList("reviewerIds", toggle(reviewerIds, r.userId, e.target.checked))}
                    />
                    <span className="min-w-0 break-words">
                      {r.name || r.email}{" "}
                      <span className="text-muted-foreground">
                        · {r.role}
                        {r.name ? ` · ${r.email}` : ""}
                      </span>
                    </span>
                  </label>
                ))}
              </fieldset>
            ) : (
              <p className="text-sm text-muted-foreground">
                No member can review yet: only admins and reviewers can. Invite one under Members, or use each integration&apos;s owner.
              </p>
            )
          ) : (
            <p className="text-sm text-muted-foreground">
              Each integration&apos;s items go to its owner, who must be an admin or a reviewer.
            </p>
          )}
          <FieldErrors id="reviewerIds-error" messages={err("reviewerIds")} />
          <FieldErrors id="reviewerMode-error" messages={err("reviewerMode")} />
        </fieldset>

        <section aria-labelledby="campaign-filter" className="grid gap-5">
          <div>
            <h2 id="campaign-filter" className="text-base font-semibold">
              Filter
            </h2>
            <p className="text-sm text-muted-foreground">
              What is reviewed: taken from each integration&apos;s most recent completed sync, and frozen when the campaign is created.
            </p>
          </div>

          <fieldset className="grid gap-2">
            <legend className="mb-1 text-sm font-medium">Integrations</legend>
            {integrations.length ? (
              <ul className="grid gap-2 sm:grid-cols-2">
                {integrations.map((i) => (
                  <li key={i.id} className="min-w-0">
                    <label className="flex min-w-0 items-center gap-2 rounded-md border p-2 text-sm">
                      <input
                        type="checkbox"
                        className="size-4 shrink-0 accent-primary"
                        aria-invalid={!!integrationError}
                        checked={filter.integrationIds.includes(i.id)}
                        onChange={(e) => setList("filter.integrationIds", toggle(filter.integrationIds, i.id, e.target.checked))}
                      />
                      <IntegrationLogo integrationId={i.id} logoUploadId={i.logoUploadId} name={i.name} />
                      <span className="min-w-0 flex-1 truncate font-medium" title={i.name}>
                        {i.name}
                      </span>
                      {!i.lastSyncStatus ? <span className="shrink-0 text-xs text-destructive">Never synced</span> : null}
                      {!i.active ? <span className="shrink-0 text-xs text-muted-foreground">Inactive</span> : null}
                    </label>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-muted-foreground">
                No integrations yet:{" "}
                <Link href="/integrations" className="underline">
                  add one
                </Link>{" "}
                and let it sync first.
              </p>
            )}
            <FieldErrors id="filter-integrationIds-error" messages={integrationError} />
          </fieldset>

          <fieldset className="grid gap-2">
            <legend className="mb-1 text-sm font-medium">Entity types</legend>
            <div className="flex flex-wrap gap-x-5 gap-y-2">
              {CAMPAIGN_ENTITY_TYPES.map((t) => (
                <label key={t} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="size-4 accent-primary"
                    checked={filter.entityTypes.includes(t)}
                    onChange={(e) => setList("filter.entityTypes", toggle(filter.entityTypes, t, e.target.checked))}
                  />
                  {OBJECT_TYPE_LABELS[t]}
                </label>
              ))}
            </div>
            <FieldErrors id="filter-entityTypes-error" messages={err("filter.entityTypes")} />
          </fieldset>

          <div className="grid gap-2">
            <Label htmlFor="group-draft">Groups, roles or entitlements</Label>
            <p id="group-draft-description" className="text-sm text-muted-foreground">
              Optional: only memberships of these (by external id), the accounts in them, and these groups themselves. Empty means all.
            </p>
            <div className="flex gap-2">
              <Input
                id="group-draft"
                list="group-choices"
                value={groupDraft}
                placeholder={choices.length ? "Choose or type an external id" : "Type an external id"}
                aria-describedby="group-draft-description"
                onChange={(e) => setGroupDraft(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === "Enter") {
                    e.preventDefault();
                    addGroup();
                  }
                }}
              />
              <Button type="button" variant="outline" onClick={addGroup}>
                Add
              </Button>
            </div>
            <datalist id="group-choices">
              {choices.map((c) => (
                <option key={`${c.integrationId}:${c.objectType}:${c.externalId}`} value={c.externalId}>
                  {`${c.name ?? c.externalId} · ${OBJECT_TYPE_LABELS[c.objectType as ObjectType] ?? c.objectType} · ${nameOfIntegration.get(c.integrationId) ?? ""}`}
                </option>
              ))}
            </datalist>
            {filter.groups.length ? (
              <ul aria-label="Chosen groups" className="flex flex-wrap gap-2">
                {filter.groups.map((g) => (
                  <li key={g} className="flex max-w-full items-center gap-1 rounded-md border bg-muted/50 py-0.5 pr-0.5 pl-2 text-sm">
                    <span className="min-w-0 truncate">
                      {choiceName.get(g) ? (
                        <>
                          {choiceName.get(g)} <span className="font-mono text-xs text-muted-foreground">{g}</span>
                        </>
                      ) : (
                        <span className="font-mono text-xs">{g}</span>
                      )}
                    </span>
                    <Button
                      type="button"
                      variant="ghost"
                      size="icon"
                      className="size-6"
                      aria-label={`Remove ${g}`}
                      onClick={() =>
                        form.setValue(
                          "filter.groups",
                          filter.groups.filter((x) => x !== g),
                          { shouldDirty: true },
                        )
                      }
                    >
                      <X aria-hidden="true" />
                    </Button>
                  </li>
                ))}
              </ul>
            ) : null}
            <FieldErrors id="filter-groups-error" messages={err("filter.groups")} />
          </div>

          <fieldset className="grid gap-2">
            <legend className="mb-1 text-sm font-medium">Account conditions</legend>
            <p className="text-sm text-muted-foreground">
              Optional: only accounts (and their memberships) whose fields match every row. Compared without regard to case; the CSV
              connector records status as <code>active</code> or <code>disabled</code>.
            </p>
            {conditions.fields.map((row, index) => {
              const field = filter.conditions[index]?.field ?? row.field;
              const operator = filter.conditions[index]?.operator ?? row.operator;
              const needsValue = operator === "equals" || operator === "not_equals" || operator === "contains";
              const base = `filter.conditions.${index}`;
              return (
                <div key={row.id} className="grid gap-1">
                  <div className="grid grid-cols-2 gap-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,9rem)_minmax(0,1fr)_auto]">
                    <NativeSelect
                      aria-label={`Condition ${index + 1} field`}
                      className="w-full"
                      {...form.register(`filter.conditions.${index}.field`, { onChange: () => edited(base) })}
                    >
                      {ACCOUNT_FIELDS.map((f) => (
                        <NativeSelectOption key={f} value={f}>
                          {f}
                        </NativeSelectOption>
                      ))}
                    </NativeSelect>
                    <NativeSelect
                      aria-label={`Condition ${index + 1} operator`}
                      className="w-full"
                      {...form.register(`filter.conditions.${index}.operator`, { onChange: () => edited(base) })}
                    >
                      {CONDITION_OPERATORS.map((o) => (
                        <NativeSelectOption key={o} value={o}>
                          {CONDITION_OPERATOR_LABELS[o]}
                        </NativeSelectOption>
                      ))}
                    </NativeSelect>
                    <Input
                      aria-label={`Condition ${index + 1} value`}
                      list={VALUE_HINTS[field] ? `hints-${field}` : undefined}
                      disabled={!needsValue}
                      placeholder={needsValue ? (VALUE_HINTS[field]?.join(" or ") ?? "Value") : "No value needed"}
                      aria-invalid={!!err(`${base}.value`)}
                      {...form.register(`filter.conditions.${index}.value`, { onChange: () => edited(base) })}
                    />
                    <Button
                      type="button"
                      variant="ghost"
                      size="icon"
                      aria-label={`Remove condition ${index + 1}`}
                      onClick={() => conditions.remove(index)}
                    >
                      <X aria-hidden="true" />
                    </Button>
                  </div>
                  <FieldErrors
                    id={`condition-${index}-error`}
                    messages={[...(err(base) ?? []), ...(err(`${base}.field`) ?? []), ...(err(`${base}.value`) ?? [])]}
                  />
                </div>
              );
            })}
            {Object.entries(VALUE_HINTS).map(([f, values]) => (
              <datalist key={f} id={`hints-${f}`}>
                {values.map((v) => (
                  <option key={v} value={v} />
                ))}
              </datalist>
            ))}
            <div>
              <Button
                type="button"
                variant="outline"
                size="sm"
                disabled={conditions.fields.length >= MAX_CAMPAIGN_CONDITIONS}
                onClick={() => conditions.append({ field: "status", operator: "equals", value: "" })}
              >
                <Plus aria-hidden="true" /> Add condition
              </Button>
            </div>
            <FieldErrors id="filter-conditions-error" messages={err("filter.conditions")} />
          </fieldset>
        </section>

        <fieldset className="grid gap-2">
          <legend className="mb-1 text-base font-semibold">When</legend>
          <div className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="start"
                className="size-4 accent-primary"
                checked={start}
                onChange={() => form.setValue("start", true)}
              />
              Start now: reviewers can decide at once
            </label>
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="start"
                className="size-4 accent-primary"
                checked={!start}
                onChange={() => form.setValue("start", false)}
              />
              Save as draft
            </label>
          </div>
        </fieldset>
      </div>

      <PreviewPanel
        preview={preview.result}
        pending={preview.pending}
        waiting={filter.integrationIds.length === 0 || filter.entityTypes.length === 0}
      />

      <div className="flex flex-wrap gap-2 lg:col-start-1">
        <Button type="submit" disabled={saving}>
          {saving ? "Creating…" : start ? "Create and start" : "Create draft"}
        </Button>
        <Button variant="ghost" asChild>
          <Link href="/campaigns">Cancel</Link>
        </Button>
      </div>
    </form>
  );
}

function FieldErrors({ id, messages }: { id: string; messages: string[] | undefined }) {
  if (!messages?.length) return null;
  return (
    <div id={id} role="alert" className="grid gap-0.5 text-sm text-destructive">
      {messages.map((m, i) => (
        <p key={i}>{asSentence(m)}</p>
      ))}
    </div>
  );
}

function PreviewPanel({ preview, pending, waiting }: { preview: ActionResult<Preview> | null; pending: boolean; waiting: boolean }) {
  return (
    <aside aria-labelledby="preview-title" className="min-w-0 lg:sticky lg:top-4 lg:col-start-2 lg:row-span-2 lg:row-start-1 lg:self-start">
      <section className="grid gap-3 rounded-lg border bg-card p-4" aria-busy={pending}>
        <div className="flex items-baseline justify-between gap-2">
          <h2 id="preview-title" className="text-base font-semibold">
            Preview
          </h2>
          <span className="text-xs text-muted-foreground" aria-live="polite">
            {pending ? "Updating…" : ""}
          </span>
        </div>
        {waiting ? (
          <p className="text-sm text-muted-foreground">Choose integrations and entity types to see how many items each would contribute.</p>
        ) : !preview ? (
          <p className="text-sm text-muted-foreground">Counting…</p>
        ) : !preview.ok ? (
          <p role="alert" className="text-sm text-destructive">
            {preview.fieldErrors
              ? `The preview waits for the filter to be complete: ${Object.values(preview.fieldErrors).flat().map(asSentence).join(" ")}`
              : preview.message}
          </p>
        ) : (
          <PreviewBody data={preview.data} />
        )}
      </section>
    </aside>
  );
}

function PreviewBody({ data }: { data: Preview }) {
  return (
    <div className="grid gap-3" data-testid="campaign-preview">
      <p className="text-sm">
        <span className="text-2xl font-semibold tabular-nums" data-testid="preview-total">
          {formatCount(data.total)}
        </span>{" "}
        review {data.total === 1 ? "item" : "items"} in total
      </p>
      <ul className="grid gap-2" aria-label="Items per integration">
        {data.integrations.map((i) => (
          <li
            key={i.integrationId}
            className={cn("grid gap-1 rounded-md border p-2 text-sm", !i.sync && "border-destructive/40 bg-destructive/5")}
          >
            <div className="flex min-w-0 items-baseline justify-between gap-2">
              <span className={cn("min-w-0 truncate font-medium", !i.sync && "text-destructive")} title={i.name}>
                {i.name}
              </span>
              <span className="shrink-0 tabular-nums">{formatCount(i.total)}</span>
            </div>
            {i.sync ? (
              <>
                <span className="text-xs text-muted-foreground">Last completed sync {formatDateTime(i.sync.endedAt)}</span>
                {i.total ? (
                  <dl className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-muted-foreground">
                    {Object.entries(i.counts).map(([type, n]) => (
                      <div key={type} className="flex gap-1">
                        <dt>{OBJECT_TYPE_LABELS[type as ObjectType] ?? type}</dt>
                        <dd className="tabular-nums text-foreground">{formatCount(n ?? 0)}</dd>
                      </div>
                    ))}
                  </dl>
                ) : (
                  <span className="text-xs text-muted-foreground">Nothing matches the filter here.</span>
                )}
              </>
            ) : (
              <span className="text-xs text-destructive">No completed sync yet: it cannot be included.</span>
            )}
          </li>
        ))}
      </ul>
      {data.problems.length ? (
        <Alert variant="destructive">
          <AlertDescription>
            <ul className="grid gap-1">
              {data.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </AlertDescription>
        </Alert>
      ) : null}
    </div>
  );
}
