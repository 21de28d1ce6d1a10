"use server";

import { revalidatePath } from "next/cache";
import { formDataObject, runAction, type ActionResult } from "@/lib/actions";
import { createApiKey, deleteApiKey, revokeApiKey } from "@/lib/api-keys/service";
import { requireContext } from "@/lib/auth/session";

export async function createApiKeyAction(_prev: unknown, formData: FormData): Promise<ActionResult<{ secret: string; name: string }>> {
  return runAction(async () => {
    const ctx = await requireContext("api_keys:write");
    const { apiKey, secret } = await createApiKey(ctx, formDataObject(formData));
    revalidatePath("/admin/api-keys");
    return { secret, name: apiKey.name };
  });
}

export async function revokeApiKeyAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const ctx = await requireContext("api_keys:write");
    const key = await revokeApiKey(ctx, formDataObject(formData));
    revalidatePath("/admin/api-keys");
    return key.name;
  }, "API key revoked");
}

export async function deleteApiKeyAction(_prev: unknown, formData: FormData) {
  return runAction(async () => {
    const ctx = await requireContext("api_keys:write");
    await deleteApiKey(ctx, formDataObject(formData));
    revalidatePath("/admin/api-keys");
  }, "API key deleted");
}
