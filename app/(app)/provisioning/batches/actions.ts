"use server";

/** Batch provisioning's upload: the service refuses a file that is not a CSV of operations, and stores nothing then. */
import { redirect } from "next/navigation";
import { runAction, type ActionResult } from "@/lib/actions";
import { requireContext } from "@/lib/auth/session";
import { createBatch } from "@/lib/provisioning/batch";

export async function createBatchAction(_prev: unknown, formData: FormData): Promise<ActionResult<{ id: string }>> {
  const result = await runAction(async () => {
    const ctx = await requireContext("provisioning:write");
    const file = formData.get("file");
    const upload = file instanceof File && file.size > 0 ? { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } : null;
    return createBatch(ctx, { integrationId: formData.get("integrationId"), file: upload });
  });
  if (!result.ok) return result;
  redirect(`/provisioning/batches/${result.data.id}`);
}
