"use client";

/**
 * For those who run campaigns: hand every item matching the queue's filters
 * to another member who may decide (narrow by reviewer first to take over
 * one person's items). Confirmed first, since it reaches items on every page.
 */
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Label } from "@/components/ui/label";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { toast } from "@/components/ui/toaster";
import type { ActionResult } from "@/lib/actions";
import type { ItemSetFilters } from "@/lib/campaigns/review-schemas";
import { formatCount, plural } from "@/lib/format";

export function ReassignForm({
  campaignId,
  matching,
  filter,
  candidates,
  reassign,
}: {
  campaignId: string;
  /** Items matching the filters, whoever holds them. */
  matching: number;
  filter: ItemSetFilters;
  candidates: { userId: string; email: string }[];
  reassign: (campaignId: string, input: unknown) => Promise<ActionResult>;
}) {
  const router = useRouter();
  const [reviewerId, setReviewerId] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [busy, startTransition] = useTransition();
  const to = candidates.find((c) => c.userId === reviewerId);
  if (matching === 0 || candidates.length === 0) return null;
  return (
    <section aria-labelledby="reassign" className="flex flex-wrap items-end gap-3 rounded-lg border p-4">
      <div className="grid min-w-0 flex-1 gap-1.5 sm:max-w-sm">
        <h2 id="reassign" className="text-sm font-medium">
          Reassign {plural(matching, "matching item")}
        </h2>
        <Label htmlFor="reassign-to" className="sr-only">
          Reassign to
        </Label>
        <NativeSelect id="reassign-to" value={reviewerId} onChange={(e) => setReviewerId(e.target.value)} className="w-full">
          <NativeSelectOption value="">Choose a reviewer…</NativeSelectOption>
          {candidates.map((c) => (
            <NativeSelectOption key={c.userId} value={c.userId}>
              {c.email}
            </NativeSelectOption>
          ))}
        </NativeSelect>
      </div>
      <Button variant="outline" disabled={!to || busy} onClick={() => setConfirming(true)}>
        Reassign
      </Button>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Reassign ${plural(matching, "item")}?`}
        description={`All ${formatCount(matching)} items matching the filters, on every page, go to ${to?.email ?? ""}. Their decisions so far stay as they are; the new reviewer can change them until the campaign is completed.`}
        confirmLabel={`Reassign to ${to?.email ?? ""}`}
        onConfirm={() =>
          startTransition(async () => {
            const result = await reassign(campaignId, { filter, reviewerId });
            setConfirming(false);
            if (result.ok) {
              toast.success(result.message ?? "Reassigned");
              router.refresh();
            } else toast.error(result.message);
          })
        }
      />
    </section>
  );
}
