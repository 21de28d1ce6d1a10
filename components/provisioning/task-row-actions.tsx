"use client";

/**
 * The action column of a Synchronization Logs row: View on every row, View
 * Details on a successful account create or update, and for roles that may
 * write: Confirm (a reason and optional evidence files), Retry (opens the
 * edit panel) and Cancel. The server actions check the role and status again.
 */
import { useState, useTransition } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { EvidenceFiles } from "@/components/evidence/evidence-files";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toaster";
import type { ActionResult } from "@/lib/actions";
import { confirmTaskSchema, CONFIRM_REASON_MAX } from "@/lib/provisioning/schemas";
import { describeProblem } from "@/lib/validation";

type FormAction = (prev: unknown, formData: FormData) => Promise<ActionResult<unknown>>;

export type TaskRowActionsProps = {
  task: { id: string; title: string };
  viewHref: string;
  detailsHref: string | null;
  retryHref: string | null;
  confirm: FormAction | null;
  cancel: FormAction | null;
};

export function TaskRowActions({ task, viewHref, detailsHref, retryHref, confirm, cancel }: TaskRowActionsProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [confirming, setConfirming] = useState(false);
  const [cancelling, setCancelling] = useState(false);

  function runCancel() {
    if (!cancel) return;
    const formData = new FormData();
    formData.set("id", task.id);
    startTransition(async () => {
      const result = await cancel(null, formData);
      if (result.ok) {
        toast.success(result.message ?? "Task cancelled");
        router.refresh();
      } else toast.error(result.message);
    });
  }

  return (
    <div className="flex flex-wrap justify-end gap-1.5">
      <Button variant="outline" size="sm" asChild>
        <Link href={viewHref} scroll={false} aria-label={`View ${task.title}`}>
          View
        </Link>
      </Button>
      {detailsHref ? (
        <Button variant="outline" size="sm" asChild>
          <Link href={detailsHref} scroll={false} aria-label={`View details of ${task.title}`}>
            View Details
          </Link>
        </Button>
      ) : null}
      {confirm ? (
        <>
          <Button size="sm" onClick={() => setConfirming(true)} disabled={pending} aria-label={`Confirm ${task.title}`}>
            Confirm
          </Button>
          <ConfirmTaskDialog open={confirming} onOpenChange={setConfirming} task={task} action={confirm} />
        </>
      ) : null}
      {retryHref ? (
        <Button variant="outline" size="sm" asChild>
          <Link href={retryHref} scroll={false} aria-label={`Retry ${task.title}`}>
            Retry
          </Link>
        </Button>
      ) : null}
      {cancel ? (
        <>
          <Button variant="ghost" size="sm" onClick={() => setCancelling(true)} disabled={pending} aria-label={`Cancel ${task.title}`}>
            Cancel
          </Button>
          <ConfirmDialog
            open={cancelling}
            onOpenChange={setCancelling}
            title={`Cancel “${task.title}”?`}
            description="It has not run yet; it will not be sent to the application, and the operations after it on this object proceed."
            confirmLabel="Cancel task"
            dismissLabel="Keep it"
            destructive
            onConfirm={runCancel}
          />
        </>
      ) : null}
    </div>
  );
}

function ConfirmTaskDialog({
  open,
  onOpenChange,
  task,
  action,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  task: { id: string; title: string };
  action: FormAction;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [reason, setReason] = useState("");
  const [uploads, setUploads] = useState<{ id: string }[]>([]);
  const [uploading, setUploading] = useState(false);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const reasonId = `confirm-reason-${task.id}`;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const parsed = confirmTaskSchema.safeParse({ reason, uploadIds: uploads.map((u) => u.id) });
    if (!parsed.success) {
      const out: Record<string, string[]> = {};
      for (const issue of parsed.error.issues)
        (out[String(issue.path[0])] ??= []).push(describeProblem(String(issue.path[0]), issue.message));
      setErrors(out);
      return;
    }
    setErrors({});
    setFormError(null);
    const formData = new FormData();
    formData.set("id", task.id);
    formData.set("reason", parsed.data.reason);
    for (const id of parsed.data.uploadIds) formData.append("uploadIds", id);
    startTransition(async () => {
      const result = await action(null, formData);
      if (result.ok) {
        toast.success(result.message ?? "Task confirmed");
        onOpenChange(false);
        setReason("");
        router.refresh();
      } else if (result.fieldErrors) {
        setErrors(Object.fromEntries(Object.entries(result.fieldErrors).map(([k, v]) => [k, v.map((m) => describeProblem(k, m))])));
      } else setFormError(result.message);
    });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-lg">
        <form onSubmit={submit} noValidate className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Confirm “{task.title}”</DialogTitle>
            <DialogDescription>
              Confirm only when the operation was done by hand in the application. The task then counts as successful, your name and reason
              are recorded in the audit log and the ledger, and the operations it held on this object proceed.
            </DialogDescription>
          </DialogHeader>
          <FormField label="Reason" htmlFor={reasonId} error={errors.reason} description="What was done, where, and by whom.">
            <Textarea
              id={reasonId}
              name="reason"
              value={reason}
              maxLength={CONFIRM_REASON_MAX}
              onChange={(e) => setReason(e.target.value)}
              rows={4}
              required
            />
          </FormField>
          <div className="grid gap-2">
            <span className="text-sm font-medium">Evidence files (optional)</span>
            <EvidenceFiles onChange={setUploads} onBusyChange={setUploading} />
            {errors.uploadIds ? (
              <p role="alert" className="text-sm text-destructive">
                {errors.uploadIds.join(" ")}
              </p>
            ) : null}
          </div>
          {formError ? (
            <p role="alert" className="text-sm text-destructive">
              {formError}
            </p>
          ) : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Close
            </Button>
            <Button type="submit" disabled={pending || uploading}>
              {uploading ? "Uploading…" : pending ? "Confirming…" : "Confirm task"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
