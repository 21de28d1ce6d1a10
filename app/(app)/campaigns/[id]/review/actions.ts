"use server";

/** Server actions of the review queue; the services authorize again, check the campaign's state and audit. */
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/actions";
import { requireContext } from "@/lib/auth/session";
import { cancelCampaign, completeCampaign, startCampaign } from "@/lib/campaigns/lifecycle";
import { type DecideResult, decideItems, reassignItems } from "@/lib/campaigns/review";
import { REVIEW_DECISION_LABELS } from "@/lib/domain/enums";
import { plural } from "@/lib/format";

function refresh(campaignId: string) {
  revalidatePath(`/campaigns/${campaignId}/review`);
  revalidatePath(`/campaigns/${campaignId}`);
  revalidatePath("/");
}

export async function decideItemsAction(campaignId: string, input: unknown): Promise<ActionResult<DecideResult>> {
  const result = await runAction(async () => {
    const ctx = await requireContext("campaigns:decide");
    const r = await decideItems(ctx, String(campaignId), input);
    refresh(String(campaignId));
    return r;
  });
  if (!result.ok) return result;
  return { ...result, message: `${REVIEW_DECISION_LABELS[result.data.decision]} ${plural(result.data.decided, "item")}` };
}

export async function completeCampaignAction(campaignId: string, input: unknown): Promise<ActionResult<string>> {
  return runAction(async () => {
    const ctx = await requireContext("campaigns:write");
    const r = await completeCampaign(ctx, String(campaignId), input);
    refresh(String(campaignId));
    return r.message;
  }, "Campaign completed: its decisions are sealed into the ledger");
}

export async function startCampaignAction(campaignId: string): Promise<ActionResult> {
  return runAction(async () => {
    const ctx = await requireContext("campaigns:write");
    await startCampaign(ctx, String(campaignId));
    refresh(String(campaignId));
    return undefined;
  }, "Campaign started: its reviewers can now decide their items");
}

export async function cancelCampaignAction(campaignId: string, input: unknown): Promise<ActionResult> {
  return runAction(async () => {
    const ctx = await requireContext("campaigns:write");
    await cancelCampaign(ctx, String(campaignId), input);
    refresh(String(campaignId));
    return undefined;
  }, "Campaign cancelled: its decisions stay as they were and can no longer change");
}

export async function reassignItemsAction(campaignId: string, input: unknown): Promise<ActionResult> {
  const result = await runAction(async () => {
    const ctx = await requireContext("campaigns:write");
    const r = await reassignItems(ctx, String(campaignId), input);
    refresh(String(campaignId));
    return r;
  });
  if (!result.ok) return result;
  return { ok: true, data: undefined, message: `Reassigned ${plural(result.data.moved, "item")} to ${result.data.reviewer}` };
}
