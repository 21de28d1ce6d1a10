/** Tenant inputs, shared by the platform forms and their actions. Client-safe. */
import { z } from "zod";

export const tenantSlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, "must be at least 2 characters")
  .max(48, "must be at most 48 characters")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "may contain lowercase letters, digits and inner hyphens only");

export const createTenantSchema = z.object({
  name: z.string().trim().min(2, "must be at least 2 characters").max(120, "must be at most 120 characters"),
  slug: tenantSlugSchema,
});
export type CreateTenantInput = z.infer<typeof createTenantSchema>;

export const updateTenantSchema = z.object({
  id: z.uuid("is not a valid tenant id"),
  name: createTenantSchema.shape.name,
  slug: tenantSlugSchema,
});
export type UpdateTenantInput = z.infer<typeof updateTenantSchema>;

export const tenantIdSchema = z.object({ id: z.uuid("is not a valid tenant id") });
