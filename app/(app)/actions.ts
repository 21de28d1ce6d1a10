"use server";

import { redirect } from "next/navigation";
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
      // A tenant the user does not belong to is a refusal, not a server error. The refusal page
      // (403) rather than forbidden() here: a form posted before hydration gets no error boundary.
      if (isAppError(e) && e.kind === "forbidden") redirect("/access-denied");
      if (isAppError(e) && e.kind === "unauthorized") redirect("/login");
      throw e;
    }
  }
  redirect("/");
}
