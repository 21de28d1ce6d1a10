"use server";

/** Server actions for sync executions; the service authorizes again and audits. */
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/actions";
import { requireContext } from "@/lib/auth/session";
import { releaseHeldSync } from "@/lib/syncs/service";

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
