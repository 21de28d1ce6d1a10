"use client";

/**
 * Manual Operations on an account: update its attributes, enable, disable,
 * delete, grant a group (optionally until a date), revoke a membership, and
 * create a new account with groups to bind. Each form is checked with the
 * server's own manualOperationSchema; the server action queues one task and
 * the result links to it in the Synchronization Logs.
 */
import { useState, useTransition, type ReactNode } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useForm, type Resolver } from "react-hook-form";
import { Ban, CircleCheck, KeyRound, Pencil, Plus, Trash2, UserMinus } from "lucide-react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { toast } from "@/components/ui/toaster";
import type { ActionResult } from "@/lib/actions";
import { PROVISIONING_ACTION_LABELS, type ProvisioningAction } from "@/lib/domain/enums";
import { manualOperationSchema } from "@/lib/provisioning/schemas";
import { taskHref } from "./account-links";

export type QueuedTask = { id: string; status: string };
export type OperationAction = (input: unknown) => Promise<ActionResult<QueuedTask>>;
export type GroupChoice = { externalId: string; name: string | null };
type AccountRef = { username: string; externalId: string };

/** The account fields a form edits, with their labels. */
const EDITABLE_FIELDS = [
  ["email", "Email"],
  ["displayName", "Display name"],
  ["givenName", "Given name"],
  ["familyName", "Family name"],
  ["title", "Title"],
  ["department", "Department"],
] as const;
type EditableField = (typeof EDITABLE_FIELDS)[number][0];

/** A resolver that checks the payload a form's values make with manualOperationSchema; issue paths are renamed to form keys. */
function operationResolver<V extends Record<string, unknown>>(
  build: (values: V) => unknown,
  keyOf: (path: string) => string = (p) => p,
): Resolver<V> {
  return async (values) => {
    const parsed = manualOperationSchema.safeParse(build(values));
    if (parsed.success) return { values, errors: {} };
    const errors: Record<string, { type: string; message: string }> = {};
    for (const issue of parsed.error.issues)
      errors[keyOf(issue.path.map(String).join(".")) || "root"] ??= { type: "validate", message: issue.message };
    return { values: {}, errors: errors as never };
  };
}

function QueuedNotice({ queued }: { queued: { task: QueuedTask; message: string } | null }) {
  if (!queued) return null;
  return (
    <Alert variant="success" role="status">
      <AlertDescription>
        {/* One span: the description lays its children out as rows. */}
        <span>
          {queued.message} It is in the{" "}
          <Link href={taskHref(queued.task.id)} className="font-medium underline underline-offset-4">
            Synchronization Logs
          </Link>
          .
        </span>
      </AlertDescription>
    </Alert>
  );
}

function useRun(action: OperationAction, onQueued?: (task: QueuedTask, message: string) => void) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [problem, setProblem] = useState<ActionResult<unknown> | null>(null);
  const run = (input: unknown, done?: () => void) =>
    startTransition(async () => {
      const result = await action(input);
      if (result.ok) {
        setProblem(null);
        toast.success(result.message ?? "Queued");
        onQueued?.(result.data, result.message ?? "Queued.");
        done?.();
        router.refresh();
      } else {
        setProblem(result);
        toast.error(result.message);
      }
    });
  return { run, pending, problem };
}

function FormDialog({
  open,
  onOpenChange,
  title,
  description,
  submitLabel,
  pending,
  problem,
  onSubmit,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: string;
  submitLabel: string;
  pending: boolean;
  problem: ActionResult<unknown> | null;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <form
          noValidate
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit();
          }}
        >
          <DialogHeader>
            <DialogTitle>{title}</DialogTitle>
            <DialogDescription>{description}</DialogDescription>
          </DialogHeader>
          {children}
          {problem && !problem.ok ? (
            <Alert variant="destructive">
              <AlertDescription>{problem.message}</AlertDescription>
            </Alert>
          ) : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? "Queueing…" : submitLabel}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

type AttributeValues = Record<EditableField, string>;

function UpdateDialog({
  integrationId,
  account,
  fields,
  open,
  onOpenChange,
  action,
  onQueued,
}: {
  integrationId: string;
  account: AccountRef;
  fields: Record<string, string | null>;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  action: OperationAction;
  onQueued: (task: QueuedTask, message: string) => void;
}) {
  const initial = Object.fromEntries(EDITABLE_FIELDS.map(([k]) => [k, fields[k] ?? ""])) as AttributeValues;
  const build = (v: AttributeValues) => {
    // Only what changed is sent; a cleared field is sent as null, which clears it on the target.
    const attributes: Record<string, string | null> = {};
    for (const [k] of EDITABLE_FIELDS) if (v[k].trim() !== initial[k]) attributes[k] = v[k].trim() || null;
    return { integrationId, action: "update", account, attributes };
  };
  const form = useForm<AttributeValues>({
    defaultValues: initial,
    resolver: operationResolver(build, (p) => p.replace(/^attributes\./, "")),
  });
  const { run, pending, problem } = useRun(action, onQueued);
  const errors = form.formState.errors as Record<string, { message?: string } | undefined>;
  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Update ${account.username}`}
      description="Only the fields you change are written. Empty a field to clear it on the application."
      submitLabel="Queue update"
      pending={pending}
      problem={problem}
      onSubmit={form.handleSubmit((v) => {
        const payload = build(v);
        if (Object.keys(payload.attributes).length === 0) {
          form.setError("root", { message: "Change at least one field." });
          return;
        }
        run(payload, () => onOpenChange(false));
      })}
    >
      <div className="grid gap-3 sm:grid-cols-2">
        {EDITABLE_FIELDS.map(([k, label]) => (
          <FormField key={k} label={label} htmlFor={`update-${k}`} error={errors[k]?.message}>
            <Input id={`update-${k}`} {...form.register(k)} />
          </FormField>
        ))}
      </div>
      {errors.root?.message ? <p className="text-sm text-destructive">{errors.root.message}</p> : null}
    </FormDialog>
  );
}

type GrantValues = { group: string; expiresOn: string };

function GrantDialog({
  integrationId,
  account,
  groups,
  open,
  onOpenChange,
  action,
  onQueued,
}: {
  integrationId: string;
  account: AccountRef;
  groups: GroupChoice[];
  open: boolean;
  onOpenChange: (open: boolean) => void;
  action: OperationAction;
  onQueued: (task: QueuedTask, message: string) => void;
}) {
  const build = (v: GrantValues) => {
    const group = groups.find((g) => g.externalId === v.group);
    return {
      integrationId,
      action: "grant",
      account,
      group: v.group ? { externalId: v.group, name: group?.name ?? null } : undefined,
      // A date is the end of access at the start of that day, UTC.
      expiresAt: v.expiresOn ? `${v.expiresOn}T00:00:00Z` : undefined,
    };
  };
  const form = useForm<GrantValues>({
    defaultValues: { group: "", expiresOn: "" },
    resolver: operationResolver(build, (p) => (p.startsWith("group") ? "group" : p === "expiresAt" ? "expiresOn" : p)),
  });
  const { run, pending, problem } = useRun(action, onQueued);
  const errors = form.formState.errors;
  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Grant a group to ${account.username}`}
      description="The membership is added on the application. With an expiry date, it is revoked on that day."
      submitLabel="Queue grant"
      pending={pending}
      problem={problem}
      onSubmit={form.handleSubmit((v) => run(build(v), () => onOpenChange(false)))}
    >
      <FormField label="Group" htmlFor="grant-group" error={errors.group?.message}>
        <NativeSelect id="grant-group" className="w-full" {...form.register("group")}>
          <NativeSelectOption value="">Choose a group…</NativeSelectOption>
          {groups.map((g) => (
            <NativeSelectOption key={g.externalId} value={g.externalId}>
              {g.name ?? g.externalId}
            </NativeSelectOption>
          ))}
        </NativeSelect>
      </FormField>
      <FormField
        label="Expires on (optional)"
        htmlFor="grant-expires"
        error={errors.expiresOn?.message}
        description="UTC; empty: no expiry."
      >
        <Input id="grant-expires" type="date" className="w-48" {...form.register("expiresOn")} />
      </FormField>
    </FormDialog>
  );
}

/** The operations on one account, for roles that may provision. */
export function AccountOperations({
  integrationId,
  account,
  fields,
  groups,
  actions,
  action,
}: {
  integrationId: string;
  account: AccountRef;
  fields: Record<string, string | null>;
  groups: GroupChoice[];
  /** What the target supports; null when every action goes (callback, manual). */
  actions: ProvisioningAction[] | null;
  action: OperationAction;
}) {
  const [queued, setQueued] = useState<{ task: QueuedTask; message: string } | null>(null);
  const onQueued = (task: QueuedTask, message: string) => setQueued({ task, message });
  const [dialog, setDialog] = useState<null | "update" | "grant" | "delete" | "disable" | "enable">(null);
  const { run, pending, problem } = useRun(action, onQueued);
  const supports = (a: ProvisioningAction) => !actions || actions.includes(a);
  const simple = (a: "delete" | "disable" | "enable") => run({ integrationId, action: a, account }, () => setDialog(null));

  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap gap-2">
        {supports("update") ? (
          <Button variant="outline" size="sm" onClick={() => setDialog("update")}>
            <Pencil aria-hidden="true" /> Update attributes
          </Button>
        ) : null}
        {supports("grant") ? (
          <Button variant="outline" size="sm" onClick={() => setDialog("grant")}>
            <KeyRound aria-hidden="true" /> Grant a group
          </Button>
        ) : null}
        {supports("enable") ? (
          <Button variant="outline" size="sm" onClick={() => setDialog("enable")} disabled={pending}>
            <CircleCheck aria-hidden="true" /> Enable
          </Button>
        ) : null}
        {supports("disable") ? (
          <Button variant="outline" size="sm" onClick={() => setDialog("disable")} disabled={pending}>
            <Ban aria-hidden="true" /> Disable
          </Button>
        ) : null}
        {supports("delete") ? (
          <Button variant="destructive" size="sm" onClick={() => setDialog("delete")} disabled={pending}>
            <Trash2 aria-hidden="true" /> Delete
          </Button>
        ) : null}
      </div>
      {problem && !problem.ok && (dialog === null || dialog === "delete" || dialog === "disable" || dialog === "enable") ? (
        <Alert variant="destructive">
          <AlertDescription>{problem.message}</AlertDescription>
        </Alert>
      ) : null}
      <QueuedNotice queued={queued} />

      {dialog === "update" ? (
        <UpdateDialog
          integrationId={integrationId}
          account={account}
          fields={fields}
          open
          onOpenChange={(o) => setDialog(o ? "update" : null)}
          action={action}
          onQueued={onQueued}
        />
      ) : null}
      {dialog === "grant" ? (
        <GrantDialog
          integrationId={integrationId}
          account={account}
          groups={groups}
          open
          onOpenChange={(o) => setDialog(o ? "grant" : null)}
          action={action}
          onQueued={onQueued}
        />
      ) : null}
      {(["delete", "disable", "enable"] as const).map((a) => (
        <ConfirmDialog
          key={a}
          open={dialog === a}
          onOpenChange={(o) => setDialog(o ? a : null)}
          title={`${PROVISIONING_ACTION_LABELS[a]} ${account.username}?`}
          description={
            a === "delete"
              ? "The account is deleted on the application. Once that succeeds (or is confirmed), SyncLedger removes it from this integration's current state."
              : `The account is ${a}d on the application.`
          }
          confirmLabel={`Queue ${a}`}
          destructive={a !== "enable"}
          onConfirm={() => simple(a)}
        />
      ))}
    </div>
  );
}

/** Revokes one membership of the account. */
export function RevokeMembershipButton({
  integrationId,
  account,
  group,
  action,
}: {
  integrationId: string;
  account: AccountRef;
  group: GroupChoice;
  action: OperationAction;
}) {
  const [open, setOpen] = useState(false);
  const { run, pending } = useRun(action);
  const name = group.name ?? group.externalId;
  return (
    <>
      <Button variant="outline" size="sm" disabled={pending} onClick={() => setOpen(true)} aria-label={`Revoke ${name}`}>
        <UserMinus aria-hidden="true" /> Revoke
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={`Revoke ${name} from ${account.username}?`}
        description="The membership is removed on the application."
        confirmLabel="Queue revoke"
        destructive
        onConfirm={() => run({ integrationId, action: "revoke", account, group: { externalId: group.externalId, name: group.name } })}
      />
    </>
  );
}

type CreateValues = AttributeValues & { username: string; groups: string[] };

/** "New account": a create task with the account's fields and the groups to bind. */
export function NewAccountButton({
  integrationId,
  groups,
  action,
}: {
  integrationId: string;
  groups: GroupChoice[];
  action: OperationAction;
}) {
  const [open, setOpen] = useState(false);
  const [queued, setQueued] = useState<{ task: QueuedTask; message: string } | null>(null);
  const build = (v: CreateValues) => {
    const attributes: Record<string, string> = { username: v.username.trim() };
    for (const [k] of EDITABLE_FIELDS) if (v[k].trim()) attributes[k] = v[k].trim();
    const bind = (v.groups ?? []).filter(Boolean);
    return {
      integrationId,
      action: "create",
      account: { username: v.username.trim() },
      attributes,
      bindGroups: bind.length ? bind : undefined,
    };
  };
  const form = useForm<CreateValues>({
    defaultValues: { username: "", email: "", displayName: "", givenName: "", familyName: "", title: "", department: "", groups: [] },
    resolver: operationResolver(build, (p) =>
      p.startsWith("account.username") ? "username" : p.replace(/^attributes\./, "").replace(/^bindGroups.*/, "groups"),
    ),
  });
  const { run, pending, problem } = useRun(action, (task, message) => setQueued({ task, message }));
  const errors = form.formState.errors as Record<string, { message?: string } | undefined>;
  return (
    <div className="grid justify-items-end gap-2">
      <Button
        onClick={() => {
          form.reset();
          setOpen(true);
        }}
      >
        <Plus aria-hidden="true" /> New account
      </Button>
      <QueuedNotice queued={queued} />
      <FormDialog
        open={open}
        onOpenChange={setOpen}
        title="New account"
        description="Queues the account's creation on the application, then binds the groups you choose."
        submitLabel="Queue creation"
        pending={pending}
        problem={problem}
        onSubmit={form.handleSubmit((v) => run(build(v), () => setOpen(false)))}
      >
        <FormField label="Username" htmlFor="new-username" error={errors.username?.message}>
          <Input id="new-username" autoComplete="off" {...form.register("username")} />
        </FormField>
        <div className="grid gap-3 sm:grid-cols-2">
          {EDITABLE_FIELDS.map(([k, label]) => (
            <FormField key={k} label={label} htmlFor={`new-${k}`} error={errors[k]?.message}>
              <Input id={`new-${k}`} autoComplete="off" {...form.register(k)} />
            </FormField>
          ))}
        </div>
        {groups.length ? (
          <fieldset className="grid gap-2">
            <legend className="mb-1 text-sm font-medium">Groups to bind</legend>
            <div className="grid max-h-40 gap-1.5 overflow-y-auto rounded-md border p-2">
              {groups.map((g) => (
                <label key={g.externalId} className="flex items-center gap-2 text-sm">
                  <input type="checkbox" value={g.externalId} className="size-4 accent-primary" {...form.register("groups")} />
                  <span className="truncate">{g.name ?? g.externalId}</span>
                </label>
              ))}
            </div>
            {errors.groups?.message ? <p className="text-sm text-destructive">{errors.groups.message}</p> : null}
          </fieldset>
        ) : null}
      </FormDialog>
    </div>
  );
}

/** Shown instead of the operations when the integration's provisioning is off. */
export function ProvisioningOffNote({ integrationId, canConfigure }: { integrationId: string; canConfigure: boolean }) {
  return (
    <Alert>
      <AlertDescription>
        <span>
          Provisioning is switched off for this application, so no operation can be sent.{" "}
          {canConfigure ? (
            <Link href={`/integrations/${integrationId}/provisioning`} className="font-medium underline underline-offset-4">
              Switch it on in the provisioning settings
            </Link>
          ) : (
            "An admin or operator can switch it on in the provisioning settings"
          )}
          .
        </span>
      </AlertDescription>
    </Alert>
  );
}
