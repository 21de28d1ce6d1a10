"use server";

/** Server actions for sync executions; the service authorizes again and audits. */
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/actions";
import { requireContext } from "@/lib/auth/session";
import { cancelSync, releaseHeldSync } from "@/lib/syncs/service";

export async function releaseHeldSyncAction(_prev: unknown, formData: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const ctx = await requireContext("syncs:release");
    const syncId = formData.get("syncId");
    const sync = await releaseHeldSync(ctx, typeof syncId === "string" ? syncId : "");
    revalidatePath(`/syncs/${sync.id}`);
    revalidatePath(`/integrations/${sync.integrationId}/syncs`);
    revalidatePath("/integrations");
    return undefined;
  }, "Held sync released: its data is being applied");
}

export async function cancelSyncAction(_prev: unknown, formData: FormData): Promise<ActionResult> {
  const result = await runAction(async () => {
    const ctx = await requireContext("syncs:run");
    const syncId = formData.get("syncId");
    const sync = await cancelSync(ctx, typeof syncId === "string" ? syncId : "");
    revalidatePath(`/syncs/${sync.id}`);
    revalidatePath(`/integrations/${sync.integrationId}/syncs`);
    revalidatePath("/integrations");
    return sync.status;
  });
  if (!result.ok) return result;
  return {
    ok: true,
    data: undefined,
    message: result.data === "cancelled" ? "Sync cancelled: nothing of it was applied" : "Cancelling: the sync stops within seconds",
  };
}
