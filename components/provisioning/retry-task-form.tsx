"use client";

/**
 * Retry After Modification: the task's parameters as JSON to edit, checked
 * with the rules a new operation is checked with before they are sent; the
 * server checks again and queues a new task linked to the original.
 */
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toaster";
import type { ActionResult } from "@/lib/actions";
import type { ProvisioningAction } from "@/lib/domain/enums";
import { checkParameters, PROVISIONABLE_ACCOUNT_FIELDS, taskParametersSchema } from "@/lib/provisioning/schemas";
import { describeProblem } from "@/lib/validation";

type FormAction = (prev: unknown, formData: FormData) => Promise<ActionResult<{ id: string }>>;

export function RetryTaskForm({
  task,
  action,
  doneHref,
}: {
  task: { id: string; action: ProvisioningAction; parameters: unknown };
  action: FormAction;
  /** Where to go once the new task is queued: the list. */
  doneHref: string;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [text, setText] = useState(() => JSON.stringify(task.parameters ?? {}, null, 2));
  const [problems, setProblems] = useState<string[]>([]);

  function check(): unknown | null {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      setProblems([`The parameters are not valid JSON: ${(e as Error).message}`]);
      return null;
    }
    const parsed = taskParametersSchema.superRefine((p, ctx) => checkParameters(task.action, p, ctx)).safeParse(value);
    if (!parsed.success) {
      setProblems(parsed.error.issues.map((i) => describeProblem(i.path.join(".") || "parameters", i.message)));
      return null;
    }
    setProblems([]);
    return parsed.data;
  }

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const parameters = check();
    if (parameters === null) return;
    const formData = new FormData();
    formData.set("id", task.id);
    formData.set("parameters", JSON.stringify(parameters));
    startTransition(async () => {
      const result = await action(null, formData);
      if (result.ok) {
        toast.success(result.message ?? "Queued again");
        router.push(doneHref, { scroll: false });
      } else {
        setProblems(
          result.fieldErrors
            ? Object.entries(result.fieldErrors).flatMap(([k, v]) => v.map((m) => describeProblem(k, m)))
            : [result.message],
        );
      }
    });
  }

  const fieldId = `retry-parameters-${task.id}`;
  return (
    <form onSubmit={submit} noValidate className="grid gap-4">
      <FormField
        label="Task parameters"
        htmlFor={fieldId}
        error={problems}
        description={
          <>
            JSON with <code>attributes</code> ({PROVISIONABLE_ACCOUNT_FIELDS.join(", ")}), <code>bindGroups</code> and{" "}
            <code>unbindGroups</code> (group external ids) for create and update, or <code>group</code> (
            <code>{'{"externalId": …, "name": …}'}</code>) for grant and revoke. A new task runs with these; this one becomes superseded.
          </>
        }
      >
        <Textarea
          id={fieldId}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onBlur={() => problems.length && check()}
          rows={14}
          spellCheck={false}
          className="font-mono text-xs"
        />
      </FormField>
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Queueing…" : "Retry with these parameters"}
        </Button>
      </div>
    </form>
  );
}
