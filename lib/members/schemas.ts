/** Member inputs. Client-safe. */
import { z } from "zod";
import { ROLES } from "@/lib/auth/permissions";

export const roleSchema = z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` });

export const passwordSchema = z.string().min(12, "must be at least 12 characters").max(200, "must be at most 200 characters");

const emailSchema = z.string().trim().toLowerCase().pipe(z.email("is not a valid email address"));

/** For seeding and the operator's command line only: admins invite, they never add. */
export const addMemberSchema = z.object({
  email: emailSchema,
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

export const inviteMemberSchema = z.object({ email: emailSchema, role: roleSchema });
export type InviteMemberInput = z.infer<typeof inviteMemberSchema>;

export const invitationIdSchema = z.object({ id: z.uuid("is not a valid invitation id") });

/** A link's token: 32 random bytes, base64url. Anything else cannot name an invitation. */
export const invitationTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "is not a valid invitation link");

export const acceptInvitationSchema = z.object({ token: invitationTokenSchema });

export const createAccountFromInvitationSchema = z
  .object({
    token: invitationTokenSchema,
    name: z.preprocess((v) => (v === "" ? undefined : v), z.string().trim().max(120, "must be at most 120 characters").optional()),
    password: passwordSchema,
    confirmPassword: z.string(),
  })
  .refine((d) => d.password === d.confirmPassword, { path: ["confirmPassword"], message: "does not match the password" });
