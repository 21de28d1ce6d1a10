"use server";

import { forbidden, redirect } from "next/navigation";
import { z } from "zod";
import { switchTenant } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";

const switchTenantSchema = z.object({ tenantId: z.uuid() });

export async function switchTenantAction(formData: FormData): Promise<void> {
  const parsed = switchTenantSchema.safeParse({ tenantId: formData.get("tenantId") });
  if (parsed.success) {
    try {
      await switchTenant(parsed.data.tenantId);
    } catch (e) {
      // A tenant the user does not belong to is a refusal (the access-denied page, 403), not a server error.
      if (isAppError(e) && e.kind === "forbidden") forbidden();
      if (isAppError(e) && e.kind === "unauthorized") redirect("/login");
      throw e;
    }
  }
  redirect("/");
}
