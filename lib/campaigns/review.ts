/**
 * Reviewing a campaign: the items a caller may see, in keyset pages with
 * filters. A signed-in reviewer sees only the items assigned to them; asking
 * for another's item by id answers "not found", as for another tenant's.
 */
import "server-only";
import { z } from "zod";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/campaigns";
import type { ServiceContext } from "@/lib/auth/context";
import { OBJECT_TYPES } from "@/lib/domain/enums";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { getCampaign, ownItemsOnly } from "./service";

export const ITEMS_PAGE_SIZE = 50;

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

/** Filters as the caller may apply them: a reviewer's are always narrowed to their own items. */
export function effectiveFilters(ctx: ServiceContext, f: z.output<typeof itemFiltersSchema>): queries.ItemFilters {
  const own = ownItemsOnly(ctx);
  return { ...f, reviewerId: own ?? f.reviewerId ?? null, q: f.q || null };
}

/** One page of a campaign's items, with the cursor of the next page. */
export async function listItems(ctx: ServiceContext, campaignId: string, input: ItemFilterInput = {}) {
  const { campaign } = await getCampaign(ctx, campaignId);
  const f = parseInput(itemFiltersSchema, input);
  const limit = f.limit ?? ITEMS_PAGE_SIZE;
  const rows = await queries.listItems(getDb(), ctx.tenantId, campaign.id, effectiveFilters(ctx, f), {
    afterId: f.after ?? null,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  return { campaign, items: page, next: rows.length > limit ? page.at(-1)!.id : null };
}

export function itemNotFound(): never {
  throw new AppError("not_found:review_item", "No such review item in this campaign.");
}
