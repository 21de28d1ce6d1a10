/** Member inputs. Client-safe. */
import { z } from "zod";
import { ROLES } from "@/lib/auth/permissions";

export const roleSchema = z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` });

export const passwordSchema = z
  .string()
  .min(12, "must be at least 12 characters")
  .max(200, "must be at most 200 characters");

export const addMemberSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email("is not a valid email address")),
  name: z.preprocess((v) => (v === "" ? undefined : v), z.string().trim().max(120).optional()),
  role: roleSchema,
  password: z.preprocess((v) => (v === "" ? undefined : v), passwordSchema.optional()),
});
export type AddMemberInput = z.infer<typeof addMemberSchema>;

export const changeMemberRoleSchema = z.object({
  membershipId: z.uuid("is not a valid member id"),
  role: roleSchema,
});

export const removeMemberSchema = z.object({ membershipId: z.uuid("is not a valid member id") });
