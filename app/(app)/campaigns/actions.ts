"use server";

/**
 * Server actions for campaigns: thin adapters that authenticate, call the
 * service (which authorizes again, validates with the shared schemas and
 * audits) and shape an ActionResult.
 */
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { runAction, type ActionResult } from "@/lib/actions";
import { requireContext } from "@/lib/auth/session";
import { createCampaign, getSyncContext, grantChoices, previewCampaign, type CampaignPreview } from "@/lib/campaigns/service";

/** How many items the filter would select per integration, and what would stop the campaign. */
export async function previewCampaignAction(input: unknown): Promise<ActionResult<CampaignPreview>> {
  return runAction(async () => previewCampaign(await requireContext("campaigns:write"), input));
}

export type GrantChoice = Awaited<ReturnType<typeof grantChoices>>[number];

/** The groups, roles and entitlements the chosen integrations hold now. */
export async function grantChoicesAction(integrationIds: string[]): Promise<ActionResult<GrantChoice[]>> {
  return runAction(async () => grantChoices(await requireContext("campaigns:write"), Array.isArray(integrationIds) ? integrationIds : []));
}

/** Creates the campaign; success lands on its Summary. */
export async function createCampaignAction(input: unknown): Promise<ActionResult<{ id: string }>> {
  const result = await runAction(async () => {
    const ctx = await requireContext("campaigns:write");
    return { id: (await createCampaign(ctx, input)).id };
  });
  if (!result.ok) return result;
  revalidatePath("/campaigns");
  redirect(`/campaigns/${result.data.id}?created=1`);
}

export type SyncContextView = Awaited<ReturnType<typeof getSyncContext>>;

/** The Sync Context as frozen at creation, for the View Sync Evidence dialog. */
export async function syncContextAction(campaignId: string): Promise<ActionResult<SyncContextView>> {
  return runAction(async () => getSyncContext(await requireContext("campaigns:read"), String(campaignId)));
}
