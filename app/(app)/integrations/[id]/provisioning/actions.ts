"use server";

/** The provisioning settings form's action: authenticate, then the service authorizes, validates and audits. */
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/actions";
import { requireContext } from "@/lib/auth/session";
import { updateProvisioningSettings } from "@/lib/provisioning/service";

export async function saveProvisioningSettingsAction(input: unknown): Promise<ActionResult<{ enabled: boolean; mode: string }>> {
  const result = await runAction(async () => {
    const ctx = await requireContext("provisioning:write");
    return updateProvisioningSettings(ctx, input);
  }, "Provisioning settings saved.");
  if (result.ok && typeof input === "object" && input && "integrationId" in input) {
    const id = String((input as { integrationId: unknown }).integrationId);
    revalidatePath(`/integrations/${id}/provisioning`);
    revalidatePath(`/integrations/${id}/accounts`, "layout");
  }
  return result;
}
