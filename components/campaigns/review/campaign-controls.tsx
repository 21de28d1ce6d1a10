"use client";

/**
 * Start and Complete for those who run campaigns (campaigns:write), beside the
 * queue. Completing asks first; with items still undecided it says how many
 * and completes only when the person ticks that they are left undecided.
 */
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
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
}: {
  campaignId: string;
  name: string;
  status: string;
  undecided: number;
  start: (campaignId: string) => Promise<ActionResult>;
  complete: (campaignId: string, input: unknown) => Promise<ActionResult<string>>;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [force, setForce] = useState(false);
  const [busy, startTransition] = useTransition();
  const report = (r: ActionResult<unknown>) => {
    if (r.ok) {
      toast.success(r.message ?? "Done");
      router.refresh();
    } else toast.error(r.message);
  };
  if (status === "draft")
    return (
      <Button size="sm" disabled={busy} onClick={() => startTransition(async () => report(await start(campaignId)))}>
        Start campaign
      </Button>
    );
  if (status !== "active") return null;
  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)}>
        Complete campaign
      </Button>
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
    </>
  );
}
