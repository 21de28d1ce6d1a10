/**
 * What reviewing accepts from a form or the API: item filters, decisions and
 * reassignments. Client-safe, so the review page validates with the same rules.
 */
import "@/lib/zod-browser";
import { z } from "zod";
import { OBJECT_TYPES } from "@/lib/domain/enums";
import { decisionSchema, MAX_ITEMS_PER_REQUEST } from "./schemas";

export const itemFiltersSchema = z.object({
  reviewerId: z.uuid("is not a member id").optional(),
  integrationId: z.uuid("is not an integration id").optional(),
  objectType: z.enum(OBJECT_TYPES).optional(),
  status: z.enum(["undecided", "approve", "revoke"]).optional(),
  q: z.string().trim().max(200).optional(),
  after: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
export type ItemFilterInput = z.input<typeof itemFiltersSchema>;

/** Filters that pick a set of items to change: those of a page, without its cursor. */
export const itemSetFiltersSchema = itemFiltersSchema.omit({ after: true, limit: true });

const itemIdsSchema = z
  .array(z.coerce.number().int("is not a review item id").positive("is not a review item id"))
  .min(1, "must name at least one review item")
  .max(MAX_ITEMS_PER_REQUEST, `may name at most ${MAX_ITEMS_PER_REQUEST} review items; decide a larger set by its filters`)
  .transform((ids) => [...new Set(ids)]);

export const decideItemsSchema = z
  .object({
    itemIds: itemIdsSchema.optional(),
    filter: itemSetFiltersSchema.optional(),
    decision: decisionSchema.shape.decision,
    comment: decisionSchema.shape.comment,
  })
  .superRefine((d, ctx) => {
    if (!d.itemIds === !d.filter) ctx.addIssue({ code: "custom", path: ["itemIds"], message: "or filter is required, but not both" });
    const checked = decisionSchema.safeParse({ decision: d.decision, comment: d.comment });
    if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ ...issue, code: "custom", message: issue.message });
  });
export type DecideItemsInput = z.input<typeof decideItemsSchema>;

export const reassignItemsSchema = z
  .object({
    itemIds: itemIdsSchema.optional(),
    filter: itemSetFiltersSchema.optional(),
    reviewerId: z.uuid("is not a member id"),
  })
  .superRefine((d, ctx) => {
    if (!d.itemIds === !d.filter) ctx.addIssue({ code: "custom", path: ["itemIds"], message: "or filter is required, but not both" });
  });
export type ReassignItemsInput = z.input<typeof reassignItemsSchema>;
export type ItemSetFilters = z.output<typeof itemSetFiltersSchema>;
