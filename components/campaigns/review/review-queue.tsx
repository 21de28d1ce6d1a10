"use client";

/**
 * The reviewer's queue: a page of review items with row checkboxes, per-row
 * approve/revoke, and bulk decisions for the selection or for every item
 * matching the filters. Each decision asks for a comment (required to
 * revoke); deciding a whole filtered set is confirmed first, since it reaches
 * items on other pages. A completed or cancelled campaign renders read-only.
 */
import { useState, useTransition } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Check, X } from "lucide-react";
import { type ColumnDef, DataTable } from "@/components/data/data-table";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toaster";
import type { ActionResult } from "@/lib/actions";
import type { ItemSetFilters } from "@/lib/campaigns/review-schemas";
import { REVIEW_COMMENT_MAX } from "@/lib/campaigns/schemas";
import {
  OBJECT_TYPE_LABELS,
  type ObjectType,
  REMEDIATION_STATUS_LABELS,
  type RemediationStatus,
  REVIEW_DECISION_LABELS,
  type ReviewDecision,
} from "@/lib/domain/enums";
import { formatCount, formatDateTime, plural } from "@/lib/format";

export type ReviewRow = {
  id: number;
  integrationName: string;
  syncExecutionId: string;
  objectType: string;
  externalId: string;
  accountName: string | null;
  displayName: string | null;
  targetName: string | null;
  reviewerId: string | null;
  reviewerName: string | null;
  decision: ReviewDecision | null;
  comment: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  remediation: RemediationStatus | null;
  remediationTaskId: string | null;
  remediationVerifiedSyncId: string | null;
};

type Target = { kind: "ids"; ids: number[] } | { kind: "filter"; count: number };
type Pending = { decision: ReviewDecision; target: Target; label: string };

type DecideAction = (campaignId: string, input: unknown) => Promise<ActionResult<{ decided: number }>>;

const itemName = (r: ReviewRow) => r.accountName ?? r.targetName ?? r.externalId;
const what = (r: ReviewRow) => (r.accountName && r.targetName ? `${r.accountName} in ${r.targetName}` : itemName(r));

export function ReviewQueue({
  campaignId,
  rows,
  readOnly,
  decidableBy,
  decidable,
  filter,
  syncLinks,
  taskLinks,
  showReviewer,
  decide,
}: {
  campaignId: string;
  rows: ReviewRow[];
  readOnly: boolean;
  /** The member whose rows the caller may decide; null when any row (an API key never sees this page, but a system context could). */
  decidableBy: string | null | "none";
  /** How many items matching the filters the caller may decide at once. */
  decidable: number;
  filter: ItemSetFilters;
  syncLinks: boolean;
  /** Whether the caller may open provisioning tasks (the revoke carrying out an item). */
  taskLinks: boolean;
  showReviewer: boolean;
  decide: DecideAction;
}) {
  const router = useRouter();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [pending, setPending] = useState<Pending | null>(null);
  const [confirming, setConfirming] = useState<{ pending: Pending; comment: string } | null>(null);
  const [comment, setComment] = useState("");
  const [commentError, setCommentError] = useState<string | null>(null);
  const [busy, startTransition] = useTransition();

  const canDecideRow = (r: ReviewRow) => !readOnly && decidableBy !== "none" && (decidableBy === null || r.reviewerId === decidableBy);
  const decidableRows = rows.filter(canDecideRow);
  const allOnPage = decidableRows.length > 0 && decidableRows.every((r) => selected.has(r.id));

  const toggle = (id: number, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const open = (p: Pending) => {
    setPending(p);
    setComment("");
    setCommentError(null);
  };

  const run = (p: Pending, text: string) =>
    startTransition(async () => {
      const input =
        p.target.kind === "ids"
          ? { itemIds: p.target.ids, decision: p.decision, comment: text }
          : { filter, decision: p.decision, comment: text };
      const result = await decide(campaignId, input);
      if (result.ok) {
        toast.success(result.message ?? "Done");
        setPending(null);
        setSelected(new Set());
        router.refresh();
      } else if (result.fieldErrors?.comment) {
        setPending(p);
        setComment(text);
        setCommentError(`Comment ${result.fieldErrors.comment[0]}`);
      } else {
        toast.error(result.message);
        setPending(null);
      }
    });

  const submitComment = () => {
    if (!pending) return;
    if (pending.decision === "revoke" && !comment.trim()) {
      setCommentError("Comment is required to revoke: say why the access should go.");
      return;
    }
    if (pending.target.kind === "filter") {
      setConfirming({ pending, comment });
      setPending(null);
      return;
    }
    run(pending, comment);
  };

  const columns: ColumnDef<ReviewRow>[] = [
    ...(readOnly || decidableBy === "none"
      ? []
      : [
          {
            id: "select",
            header: "Select",
            srOnlyHeader: true,
            className: "w-8",
            // In a stacked card the checkbox sits with the row's buttons, named so on a phone.
            stacked: "actions" as const,
            cell: (r: ReviewRow) =>
              canDecideRow(r) ? (
                <label className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="size-4 accent-primary"
                    aria-label={`Select ${what(r)}`}
                    checked={selected.has(r.id)}
                    onChange={(e) => toggle(r.id, e.target.checked)}
                  />
                  <span className="sm:sr-only">Select</span>
                </label>
              ) : null,
          },
        ]),
    {
      id: "account",
      header: "Account",
      stacked: "title",
      className: "min-w-28 max-w-56 whitespace-normal",
      cell: (r) => (
        <>
          <div className="font-medium break-words">{r.accountName ?? <span className="text-muted-foreground">—</span>}</div>
          {r.displayName ? <div className="text-xs text-muted-foreground">{r.displayName}</div> : null}
        </>
      ),
    },
    {
      id: "target",
      header: "Entitlement or group",
      className: "min-w-28 max-w-56 whitespace-normal",
      cell: (r) => (
        <>
          <div className="break-words">{r.targetName ?? (r.objectType === "account" ? "The account itself" : r.externalId)}</div>
          <div className="text-xs text-muted-foreground">{OBJECT_TYPE_LABELS[r.objectType as ObjectType] ?? r.objectType}</div>
        </>
      ),
    },
    {
      id: "integration",
      header: "Integration and sync",
      priority: "lg",
      className: "text-sm whitespace-normal",
      cell: (r) => (
        <>
          <div>{r.integrationName}</div>
          <div className="font-mono text-xs text-muted-foreground">
            {syncLinks ? (
              <Link href={`/syncs/${r.syncExecutionId}`} className="hover:underline" title="The sync this item was copied from">
                Sync {r.syncExecutionId.slice(0, 8)}
              </Link>
            ) : (
              <span title="The sync this item was copied from">Sync {r.syncExecutionId.slice(0, 8)}</span>
            )}
          </div>
        </>
      ),
    },
    ...(showReviewer
      ? [
          {
            id: "reviewer",
            header: "Reviewer",
            priority: "xl" as const,
            className: "text-sm",
            cell: (r: ReviewRow) => r.reviewerName ?? "—",
          },
        ]
      : []),
    {
      id: "decision",
      header: "Decision",
      className: "min-w-28 max-w-56 whitespace-normal",
      cell: (r) => (
        <>
          <DecisionBadge decision={r.decision} />
          <Remediation row={r} syncLinks={syncLinks} taskLinks={taskLinks} />
          {r.comment ? <div className="mt-1 line-clamp-2 text-xs break-words text-muted-foreground">“{r.comment}”</div> : null}
        </>
      ),
      full: (r) => (
        <>
          <DecisionBadge decision={r.decision} />
          <Remediation row={r} syncLinks={syncLinks} taskLinks={taskLinks} />
          {r.comment ? <div className="mt-1 text-xs break-words text-muted-foreground">“{r.comment}”</div> : null}
        </>
      ),
    },
    {
      id: "decided",
      header: "Decided by",
      priority: "2xl",
      className: "text-xs text-muted-foreground whitespace-normal",
      cell: (r) =>
        r.decidedByName ? (
          <>
            <div>{r.decidedByName}</div>
            <div>{formatDateTime(r.decidedAt)}</div>
          </>
        ) : (
          "—"
        ),
    },
    ...(readOnly || decidableBy === "none"
      ? []
      : [
          {
            id: "actions",
            header: "Actions",
            srOnlyHeader: true,
            stacked: "actions" as const,
            className: "w-40",
            cell: (r: ReviewRow) =>
              canDecideRow(r) ? (
                <div className="flex gap-1.5">
                  <Button
                    size="sm"
                    variant={r.decision === "approve" ? "secondary" : "outline"}
                    aria-label={`Approve ${what(r)}`}
                    disabled={busy}
                    onClick={() => open({ decision: "approve", target: { kind: "ids", ids: [r.id] }, label: `Approve ${what(r)}` })}
                  >
                    <Check aria-hidden="true" /> Approve
                  </Button>
                  <Button
                    size="sm"
                    variant={r.decision === "revoke" ? "secondary" : "outline"}
                    aria-label={`Revoke ${what(r)}`}
                    disabled={busy}
                    onClick={() => open({ decision: "revoke", target: { kind: "ids", ids: [r.id] }, label: `Revoke ${what(r)}` })}
                  >
                    <X aria-hidden="true" /> Revoke
                  </Button>
                </div>
              ) : null,
          },
        ]),
  ];

  const ids = [...selected];
  return (
    <div className="grid gap-3">
      {readOnly || decidableBy === "none" ? null : (
        <section aria-label="Bulk decisions" className="flex flex-wrap items-center gap-2 rounded-lg border bg-card p-3 text-sm">
          <label className="flex items-center gap-2">
            <input
              type="checkbox"
              className="size-4 accent-primary"
              checked={allOnPage}
              disabled={decidableRows.length === 0}
              onChange={(e) => setSelected(e.target.checked ? new Set(decidableRows.map((r) => r.id)) : new Set())}
            />
            Select all on this page
          </label>
          <span className="text-muted-foreground" aria-live="polite">
            {plural(ids.length, "item")} selected
          </span>
          <div className="flex flex-wrap gap-2 sm:ml-auto">
            <Button
              size="sm"
              disabled={busy || ids.length === 0}
              onClick={() =>
                open({ decision: "approve", target: { kind: "ids", ids }, label: `Approve ${plural(ids.length, "selected item")}` })
              }
            >
              Approve selected
            </Button>
            <Button
              size="sm"
              variant="destructive"
              disabled={busy || ids.length === 0}
              onClick={() =>
                open({ decision: "revoke", target: { kind: "ids", ids }, label: `Revoke ${plural(ids.length, "selected item")}` })
              }
            >
              Revoke selected
            </Button>
            {decidable > 0 ? (
              <>
                <Button
                  size="sm"
                  variant="outline"
                  disabled={busy}
                  onClick={() =>
                    open({
                      decision: "approve",
                      target: { kind: "filter", count: decidable },
                      label: `Approve all ${formatCount(decidable)} matching`,
                    })
                  }
                >
                  Approve all {formatCount(decidable)} matching
                </Button>
                <Button
                  size="sm"
                  variant="outline"
                  disabled={busy}
                  onClick={() =>
                    open({
                      decision: "revoke",
                      target: { kind: "filter", count: decidable },
                      label: `Revoke all ${formatCount(decidable)} matching`,
                    })
                  }
                >
                  Revoke all {formatCount(decidable)} matching
                </Button>
              </>
            ) : null}
          </div>
        </section>
      )}
      <DataTable
        label="Review items"
        rows={rows}
        rowKey={(r) => String(r.id)}
        empty="No review items match these filters."
        detail={{ title: (r) => what(r), description: (r) => OBJECT_TYPE_LABELS[r.objectType as ObjectType] ?? r.objectType }}
        columns={columns}
      />
      <Dialog open={pending !== null} onOpenChange={(o) => (o ? null : setPending(null))}>
        <DialogContent>
          <form
            className="grid gap-4"
            onSubmit={(e) => {
              e.preventDefault();
              submitComment();
            }}
          >
            <DialogHeader>
              <DialogTitle>{pending?.label}</DialogTitle>
              <DialogDescription>
                {pending?.decision === "revoke"
                  ? "Say why the access should go: the comment is recorded with the decision and the revoke is queued for remediation."
                  : "Optionally say why the access is still needed: the comment is recorded with the decision."}{" "}
                You can change a decision until the campaign is completed.
              </DialogDescription>
            </DialogHeader>
            <div className="grid gap-1.5">
              <Label htmlFor="review-comment">Comment{pending?.decision === "revoke" ? " (required)" : " (optional)"}</Label>
              <Textarea
                id="review-comment"
                name="comment"
                value={comment}
                maxLength={REVIEW_COMMENT_MAX}
                aria-invalid={commentError ? true : undefined}
                aria-describedby={commentError ? "review-comment-error" : undefined}
                onChange={(e) => {
                  setComment(e.target.value);
                  setCommentError(null);
                }}
              />
              {commentError ? (
                <p id="review-comment-error" className="text-sm text-destructive">
                  {commentError}
                </p>
              ) : null}
            </div>
            <DialogFooter>
              <Button type="button" variant="outline" onClick={() => setPending(null)}>
                Cancel
              </Button>
              <Button type="submit" variant={pending?.decision === "revoke" ? "destructive" : "default"} disabled={busy}>
                {pending?.decision === "revoke" ? "Revoke" : "Approve"}
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
      <ConfirmDialog
        open={confirming !== null}
        onOpenChange={(o) => (o ? null : setConfirming(null))}
        title={`${confirming?.pending.label ?? ""} items?`}
        description={`Every item of yours matching the current filters — ${formatCount(
          confirming?.pending.target.kind === "filter" ? confirming.pending.target.count : 0,
        )} in all, including those on other pages — is ${confirming?.pending.decision === "revoke" ? "revoked" : "approved"}, replacing any decision they had.`}
        confirmLabel={confirming?.pending.decision === "revoke" ? "Revoke all" : "Approve all"}
        destructive={confirming?.pending.decision === "revoke"}
        onConfirm={() => {
          if (confirming) run(confirming.pending, confirming.comment);
          setConfirming(null);
        }}
      />
    </div>
  );
}

const REMEDIATION_TONE: Record<RemediationStatus, string> = {
  pending: "text-muted-foreground",
  in_progress: "text-muted-foreground",
  remediated: "text-foreground",
  failed: "text-destructive",
  verified: "text-emerald-700 dark:text-emerald-400",
};

/** Where a revoke stands: its status, the task carrying it out, and the sync that proved it done. */
function Remediation({ row, syncLinks, taskLinks }: { row: ReviewRow; syncLinks: boolean; taskLinks: boolean }) {
  if (!row.remediation) return null;
  const task = row.remediationTaskId;
  const sync = row.remediationVerifiedSyncId;
  return (
    <div className={`mt-1 text-xs ${REMEDIATION_TONE[row.remediation]}`} data-remediation={row.remediation}>
      {REMEDIATION_STATUS_LABELS[row.remediation]}
      {task ? (
        <>
          {" · "}
          {taskLinks ? (
            <Link href={`/provisioning?task=${task}`} className="font-mono underline-offset-2 hover:underline" title="The revoke task">
              Task {task.slice(0, 8)}
            </Link>
          ) : (
            <span className="font-mono">Task {task.slice(0, 8)}</span>
          )}
        </>
      ) : null}
      {sync ? (
        <>
          {" · "}
          {syncLinks ? (
            <Link href={`/syncs/${sync}`} className="font-mono underline-offset-2 hover:underline" title="The sync that no longer saw it">
              verified by sync {sync.slice(0, 8)}
            </Link>
          ) : (
            <span className="font-mono" title={sync}>
              verified by sync {sync.slice(0, 8)}
            </span>
          )}
        </>
      ) : null}
    </div>
  );
}

function DecisionBadge({ decision }: { decision: ReviewDecision | null }) {
  if (!decision) return <Badge variant="outline">Undecided</Badge>;
  return <Badge variant={decision === "approve" ? "success" : "destructive"}>{REVIEW_DECISION_LABELS[decision]}</Badge>;
}
