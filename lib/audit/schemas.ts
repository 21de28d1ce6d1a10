/** Input schemas for the audit log: list filters and the page cursor. Client-safe. */
import { z } from "zod";
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, ENTITY_TYPE_LABELS, actionsOf } from "./catalog";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const dateBound = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .refine((s) => !Number.isNaN(Date.parse(s)), "must be a date such as 2026-11-21 or an ISO timestamp")
    .optional(),
);

export const auditEventFiltersSchema = z
  .object({
    entityType: z.preprocess(
      blankToUndefined,
      z.enum(AUDIT_ENTITY_TYPES as [string, ...string[]], { message: "is not a tracked entity type" }).optional(),
    ),
    action: z.preprocess(
      blankToUndefined,
      z.enum(AUDIT_ACTIONS as [string, ...string[]], { message: "is not a tracked action" }).optional(),
    ),
    actor: z.preprocess(blankToUndefined, z.string().trim().max(320).optional()),
    from: dateBound,
    to: dateBound,
    q: z.preprocess(blankToUndefined, z.string().trim().max(200, "must be at most 200 characters").optional()),
  })
  .refine((f) => !f.from || !f.to || Date.parse(f.from) <= Date.parse(f.to), {
    path: ["to"],
    message: "must not be before the start date",
  })
  // The filter form offers only an entity type's own actions; a hand-edited URL can still pair others.
  .superRefine((f, issue) => {
    if (!f.entityType || !f.action) return;
    const allowed = actionsOf(f.entityType);
    if (allowed.includes(f.action)) return;
    issue.addIssue({
      code: "custom",
      path: ["action"],
      message: `${f.action} is never recorded for ${ENTITY_TYPE_LABELS[f.entityType as keyof typeof ENTITY_TYPE_LABELS]}; choose one of ${allowed.join(", ")}`,
    });
  });

export type AuditEventFilters = z.infer<typeof auditEventFiltersSchema>;

export const auditEventListSchema = auditEventFiltersSchema.and(
  z.object({
    cursor: z.preprocess(blankToUndefined, z.string().max(200).optional()),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  }),
);
export type AuditEventListInput = z.infer<typeof auditEventListSchema>;

export const exportFormatSchema = z.enum(["csv", "jsonl"], { message: "format must be csv or jsonl" });
