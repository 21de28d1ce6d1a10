"use server";

/**
 * Manual Operations from the accounts pages: each is one provisioning task,
 * queued by the service (which authorizes, checks that provisioning is on,
 * validates and audits).
 */
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/actions";
import { requireContext } from "@/lib/auth/session";
import { PROVISIONING_ACTION_LABELS, type ProvisioningAction } from "@/lib/domain/enums";
import { createManualTask } from "@/lib/provisioning/service";

export type QueuedTask = { id: string; status: string };

export async function manualOperationAction(input: unknown): Promise<ActionResult<QueuedTask>> {
  const action = (input as { action?: string } | null)?.action;
  const label = action && action in PROVISIONING_ACTION_LABELS ? PROVISIONING_ACTION_LABELS[action as ProvisioningAction] : "Operation";
  const result = await runAction(async () => {
    const ctx = await requireContext("provisioning:write");
    return createManualTask(ctx, input);
  }, `${label} queued.`);
  if (result.ok) {
    const integrationId = String((input as { integrationId?: unknown }).integrationId ?? "");
    revalidatePath(`/integrations/${integrationId}/accounts`, "layout");
  }
  return result;
}
