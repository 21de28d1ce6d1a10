/** Input schemas for platform administration: the audit log's filters, granting and removing platform admins. Client-safe. */
import { z } from "zod";
import { PLATFORM_AUDIT_ACTIONS } from "./catalog";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const dateBound = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .refine((s) => !Number.isNaN(Date.parse(s)), "must be a date such as 2026-11-21")
    .optional(),
);

export const platformAuditListSchema = z
  .object({
    action: z.preprocess(
      blankToUndefined,
      z.enum(PLATFORM_AUDIT_ACTIONS as [string, ...string[]], { message: "is not an action the platform log records" }).optional(),
    ),
    from: dateBound,
    to: dateBound,
    cursor: z.preprocess(blankToUndefined, z.string().max(200).optional()),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .refine((f) => !f.from || !f.to || Date.parse(f.from) <= Date.parse(f.to), {
    path: ["to"],
    message: "must not be before the start date",
  });

export type PlatformAuditListInput = z.input<typeof platformAuditListSchema>;

export const platformAdminEmailSchema = z.object({
  email: z.string().trim().toLowerCase().email("must be an email address such as ana@example.com").max(320),
});
