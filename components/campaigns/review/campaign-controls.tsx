"use client";

/**
 * Start, Complete and Cancel for those who run campaigns (campaigns:write), on
 * the Summary and beside the queue. Completing asks first; with items still
 * undecided it says how many and completes only when the person ticks that
 * they are left undecided. Cancelling asks for the reason the audit log keeps.
 */
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { toast } from "@/components/ui/toaster";
import type { ActionResult } from "@/lib/actions";
import { plural } from "@/lib/format";

export function CampaignControls({
  campaignId,
  name,
  status,
  undecided,
  start,
  complete,
  cancel,
}: {
  campaignId: string;
  name: string;
  status: string;
  undecided: number;
  start: (campaignId: string) => Promise<ActionResult>;
  complete: (campaignId: string, input: unknown) => Promise<ActionResult<string>>;
  /** Offered only where given (the Summary). */
  cancel?: (campaignId: string, input: unknown) => Promise<ActionResult>;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [cancelOpen, setCancelOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [force, setForce] = useState(false);
  const [busy, startTransition] = useTransition();
  const report = (r: ActionResult<unknown>) => {
    if (r.ok) {
      toast.success(r.message ?? "Done");
      router.refresh();
    } else toast.error(r.message);
  };
  if (status !== "draft" && status !== "active") return null;
  const cancelDialog = cancel ? (
    <Dialog open={cancelOpen} onOpenChange={setCancelOpen}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Cancel “{name}”?</DialogTitle>
          <DialogDescription>
            A cancelled campaign stays on record with its Sync Context and any decisions made, but nobody can decide or complete it any
            more.
          </DialogDescription>
        </DialogHeader>
        <div className="grid gap-2">
          <Label htmlFor="cancel-reason">Reason</Label>
          <Textarea
            id="cancel-reason"
            value={reason}
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={reasonError ? "cancel-reason-error" : undefined}
            onChange={(e) => setReason(e.target.value)}
          />
          {reasonError ? (
            <p id="cancel-reason-error" className="text-sm text-destructive">
              {reasonError}
            </p>
          ) : null}
        </div>
        <DialogFooter>
          <Button variant="outline" onClick={() => setCancelOpen(false)}>
            Keep it
          </Button>
          <Button
            variant="destructive"
            disabled={busy}
            onClick={() =>
              startTransition(async () => {
                const r = await cancel(campaignId, { reason });
                if (!r.ok && r.fieldErrors?.reason) {
                  setReasonError(r.fieldErrors.reason.join(" "));
                  return;
                }
                setCancelOpen(false);
                report(r);
              })
            }
          >
            Cancel campaign
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  ) : null;
  const cancelButton = cancel ? (
    <Button size="sm" variant="outline" onClick={() => setCancelOpen(true)}>
      Cancel campaign
    </Button>
  ) : null;
  if (status === "draft")
    return (
      <div className="flex flex-wrap gap-2">
        <Button size="sm" disabled={busy} onClick={() => startTransition(async () => report(await start(campaignId)))}>
          Start campaign
        </Button>
        {cancelButton}
        {cancelDialog}
      </div>
    );
  return (
    <div className="flex flex-wrap gap-2">
      <Button size="sm" onClick={() => setOpen(true)}>
        Complete campaign
      </Button>
      {cancelButton}
      {cancelDialog}
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Complete “{name}”?</DialogTitle>
            <DialogDescription>
              Completing freezes every decision and seals their digest into the ledger. Nobody can change a decision afterwards.
            </DialogDescription>
          </DialogHeader>
          {undecided > 0 ? (
            <label className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                className="mt-0.5 size-4 accent-primary"
                checked={force}
                onChange={(e) => setForce(e.target.checked)}
              />
              <span>
                {plural(undecided, "item is", "items are")} still undecided. Complete anyway and record {undecided === 1 ? "it" : "them"} as
                left undecided.
              </span>
            </label>
          ) : null}
          <DialogFooter>
            <Button variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button
              disabled={busy || (undecided > 0 && !force)}
              onClick={() =>
                startTransition(async () => {
                  const r = await complete(campaignId, { force });
                  setOpen(false);
                  report(r);
                })
              }
            >
              Complete
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
