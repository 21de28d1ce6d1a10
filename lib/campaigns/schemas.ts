/**
 * What a campaign accepts from a form or the API. Client-safe: the new-campaign
 * form validates with the same rules the service applies.
 */
import "@/lib/zod-browser";
import { z } from "zod";
import {
  CAMPAIGN_ENTITY_TYPES,
  CAMPAIGN_REVIEWER_MODES,
  CANONICAL_FIELDS,
  CONDITION_OPERATORS,
  REVIEW_DECISIONS,
} from "@/lib/domain/enums";

export const CAMPAIGN_NAME_MAX = 200;
export const CAMPAIGN_DESCRIPTION_MAX = 4000;
export const MAX_CAMPAIGN_INTEGRATIONS = 200;
export const MAX_CAMPAIGN_GROUPS = 500;
export const MAX_CAMPAIGN_CONDITIONS = 20;
export const REVIEW_COMMENT_MAX = 2000;
/** The most items one bulk decision or reassignment by id may name. */
export const MAX_ITEMS_PER_REQUEST = 1000;

const uuid = z.uuid("is not a valid id");
const ACCOUNT_FIELDS = CANONICAL_FIELDS.account as readonly string[];

export const attributeConditionSchema = z
  .object({
    field: z.string().refine((f) => ACCOUNT_FIELDS.includes(f), {
      message: `must be one of the account fields: ${ACCOUNT_FIELDS.join(", ")}`,
    }),
    operator: z.enum(CONDITION_OPERATORS),
    value: z.string().trim().max(500).optional(),
  })
  .superRefine((c, ctx) => {
    const needsValue = c.operator === "equals" || c.operator === "not_equals" || c.operator === "contains";
    if (needsValue && !c.value) ctx.addIssue({ code: "custom", path: ["value"], message: `needs a value to compare ${c.field} with` });
  })
  .transform((c) => (c.operator === "is_empty" || c.operator === "is_not_empty" ? { field: c.field, operator: c.operator } : c));

export const campaignFilterSchema = z.object({
  integrationIds: z
    .array(uuid)
    .min(1, "must include at least one integration")
    .max(MAX_CAMPAIGN_INTEGRATIONS)
    .transform((ids) => [...new Set(ids)]),
  entityTypes: z
    .array(z.enum(CAMPAIGN_ENTITY_TYPES))
    .min(1, "must include at least one entity type")
    .transform((types) => CAMPAIGN_ENTITY_TYPES.filter((t) => types.includes(t))),
  groups: z
    .array(z.string().trim().min(1).max(500))
    .max(MAX_CAMPAIGN_GROUPS)
    .default([])
    .transform((g) => [...new Set(g)]),
  conditions: z.array(attributeConditionSchema).max(MAX_CAMPAIGN_CONDITIONS).default([]),
});

/** "YYYY-MM-DD", not before today (UTC). */
const dueDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date (YYYY-MM-DD)")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "is not a real date")
  .refine((d) => d >= new Date().toISOString().slice(0, 10), "must not be in the past");

export const createCampaignSchema = z
  .object({
    name: z.string().trim().min(1, "is required").max(CAMPAIGN_NAME_MAX),
    description: z.string().trim().max(CAMPAIGN_DESCRIPTION_MAX).optional().default(""),
    dueDate,
    reviewerMode: z.enum(CAMPAIGN_REVIEWER_MODES),
    reviewerIds: z.array(uuid).max(100).default([]),
    filter: campaignFilterSchema,
    /** A draft is captured but not yet open to its reviewers. */
    start: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    if (c.reviewerMode === "members" && c.reviewerIds.length === 0)
      ctx.addIssue({ code: "custom", path: ["reviewerIds"], message: "must name at least one reviewer" });
  })
  .transform((c) => ({ ...c, reviewerIds: c.reviewerMode === "members" ? [...new Set(c.reviewerIds)] : [] }));

export type CreateCampaignInput = z.input<typeof createCampaignSchema>;
export type CreateCampaign = z.output<typeof createCampaignSchema>;

export const previewCampaignSchema = z.object({ filter: campaignFilterSchema });

export const decisionSchema = z
  .object({
    decision: z.enum(REVIEW_DECISIONS),
    comment: z.string().trim().max(REVIEW_COMMENT_MAX).optional().default(""),
  })
  .superRefine((d, ctx) => {
    if (d.decision === "revoke" && !d.comment)
      ctx.addIssue({ code: "custom", path: ["comment"], message: "is required to revoke: say why the access should go" });
  });
