"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { switchTenant } from "@/lib/auth/session";

const switchTenantSchema = z.object({ tenantId: z.uuid() });

export async function switchTenantAction(formData: FormData): Promise<void> {
  const parsed = switchTenantSchema.safeParse({ tenantId: formData.get("tenantId") });
  if (parsed.success) await switchTenant(parsed.data.tenantId);
  redirect("/");
}
