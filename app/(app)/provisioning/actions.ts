"use server";

/** Server actions of the Synchronization Logs; the service authorizes again, audits and writes the ledger. */
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/actions";
import { requireContext } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { cancelTask, confirmTask, retryTask } from "@/lib/provisioning/service";

const field = (formData: FormData, name: string) => {
  const v = formData.get(name);
  return typeof v === "string" ? v : "";
};

export async function confirmTaskAction(_prev: unknown, formData: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const ctx = await requireContext("provisioning:write");
    const uploadIds = formData.getAll("uploadIds").filter((v): v is string => typeof v === "string");
    await confirmTask(ctx, field(formData, "id"), { reason: field(formData, "reason"), uploadIds });
    revalidatePath("/provisioning");
    return undefined;
  }, "Task confirmed: it counts as done, and the operations it held proceed");
}

export async function retryTaskAction(_prev: unknown, formData: FormData): Promise<ActionResult<{ id: string }>> {
  return runAction(async () => {
    const ctx = await requireContext("provisioning:write");
    let parameters: unknown;
    try {
      parameters = JSON.parse(field(formData, "parameters"));
    } catch {
      throw new AppError("unprocessable:validation", "The task parameters are not valid JSON.", {
        parameters: ["are not valid JSON"],
      });
    }
    const created = await retryTask(ctx, field(formData, "id"), { parameters });
    revalidatePath("/provisioning");
    return { id: created.id };
  }, "Queued again with the new parameters; the original task is superseded");
}

export async function cancelTaskAction(_prev: unknown, formData: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const ctx = await requireContext("provisioning:write");
    await cancelTask(ctx, field(formData, "id"));
    revalidatePath("/provisioning");
    return undefined;
  }, "Task cancelled before it ran");
}
