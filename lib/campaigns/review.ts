/**
 * Reviewing a campaign: the items a caller may see, in keyset pages with
 * filters; deciding them one at a time, by a selection of ids or for a whole
 * filtered set; reassigning them; and the seam provisioning picks revokes up
 * from. A signed-in member sees and decides only the items assigned to them;
 * naming another's item by id answers "not found", as for another tenant's.
 * An API key with campaigns:decide decides any item, recorded as the key.
 *
 * A bulk change is one set-based statement (db/queries/campaigns.ts) that
 * also moves the progress counters by the difference it made, inside one
 * transaction that holds the campaign row FOR SHARE so completion cannot
 * slip between a decision and its commit.
 */
import "server-only";
import { z } from "zod";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/campaigns";
import { authorize, can, type ServiceContext } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/service";
import { roleCan } from "@/lib/auth/permissions";
import { REVIEW_DECISION_LABELS, type Role } from "@/lib/domain/enums";
import { formatCount, plural } from "@/lib/format";
import { AppError } from "@/lib/errors";
import { isUuid, parseInput, validationError } from "@/lib/validation";
import {
  decideItemsSchema,
  type ItemFilterInput,
  itemFiltersSchema,
  type itemSetFiltersSchema,
  reassignItemsSchema,
} from "./review-schemas";
import { getCampaign, ownItemsOnly } from "./service";

export {
  type DecideItemsInput,
  decideItemsSchema,
  type ItemFilterInput,
  itemFiltersSchema,
  itemSetFiltersSchema,
  type ReassignItemsInput,
  reassignItemsSchema,
} from "./review-schemas";

export const ITEMS_PAGE_SIZE = 50;

/** Filters as the caller may apply them: a reviewer's are always narrowed to their own items. */
export function effectiveFilters(ctx: ServiceContext, f: z.output<typeof itemFiltersSchema>): queries.ItemFilters {
  const own = ownItemsOnly(ctx);
  return { ...f, reviewerId: own ?? f.reviewerId ?? null, q: f.q || null };
}

/** One page of a campaign's items, with the cursor of the next page. */
export async function listItems(ctx: ServiceContext, campaignId: string, input: ItemFilterInput | Record<string, unknown> = {}) {
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

const campaignNotFound = (): never => {
  throw new AppError("not_found:campaign", "No such campaign.");
};

/** The member whose items a caller may change: a signed-in member only their own; an API key or the system, anyone's. */
function deciderScope(ctx: ServiceContext): string | null {
  return ctx.actor.type === "user" ? ctx.actor.id : null;
}

function selectionOf(
  ctx: ServiceContext,
  d: { itemIds?: number[]; filter?: z.output<typeof itemSetFiltersSchema> },
  reviewerId: string | null,
): queries.ItemSelection {
  if (d.itemIds) return { ids: d.itemIds, reviewerId };
  return { filters: effectiveFilters(ctx, d.filter ?? {}), reviewerId };
}

function statusConflict(c: { name: string; status: string }, doing: "decided" | "reassigned"): never {
  if (c.status === "draft")
    throw new AppError(
      "conflict:campaign_draft",
      `Campaign "${c.name}" is a draft: start the campaign first, then its items can be ${doing}.`,
    );
  if (c.status === "completed")
    throw new AppError(
      "conflict:campaign_completed",
      `Campaign "${c.name}" was completed: its decisions are final and its items can no longer be ${doing}.`,
    );
  throw new AppError("conflict:campaign_cancelled", `Campaign "${c.name}" was cancelled: its items can no longer be ${doing}.`);
}

/** The single item's name in the audit log: the account, and what it grants. */
function itemLabel(r: { accountName: string | null; targetName: string | null; externalId: string | null }) {
  if (r.accountName && r.targetName) return `${r.accountName} in ${r.targetName}`;
  return r.accountName ?? r.targetName ?? r.externalId ?? "review item";
}

export type DecideResult = { decided: number; decision: "approve" | "revoke"; wasUndecided: number; changed: number };

/**
 * Approves or revokes review items (a comment is required to revoke), by ids
 * or for every item matching filters. Only while the campaign is active; a
 * decision may be changed until the campaign is completed. One audit event.
 */
export async function decideItems(ctx: ServiceContext, campaignId: string, input: unknown): Promise<DecideResult> {
  authorize(ctx, "campaigns:decide");
  if (!isUuid(campaignId)) campaignNotFound();
  const data = parseInput(decideItemsSchema, input);
  const scope = deciderScope(ctx);
  const selection = selectionOf(ctx, data, scope);
  const comment = data.comment || null;
  return getDb().transaction(async (tx) => {
    const campaign = (await queries.lockCampaign(tx, ctx.tenantId, campaignId, "share")) ?? campaignNotFound();
    // A reviewer does not learn of drafts (getCampaign hides them too).
    if (ownItemsOnly(ctx) && campaign.status === "draft") campaignNotFound();
    if (campaign.status !== "active") statusConflict(campaign, "decided");
    if ("ids" in selection && (await queries.countSelected(tx, ctx.tenantId, campaign.id, selection)) !== selection.ids.length)
      itemNotFound();
    const r = await queries.decideItems(tx, ctx.tenantId, campaign.id, selection, {
      decision: data.decision,
      comment,
      byId: ctx.actor.id ?? null,
      byName: ctx.actor.name,
      at: new Date(),
    });
    if (r.decided === 0)
      throw new AppError(
        "unprocessable:no_items",
        "No review items of yours match these filters: nothing was decided. Clear a filter and try again.",
      );
    const label = REVIEW_DECISION_LABELS[data.decision].toLowerCase();
    const single = r.decided === 1 ? itemLabel(r) : null;
    await recordAuditEvent(tx, ctx, {
      entityType: "ReviewItem",
      action: "Decide",
      entityId: single ? String(r.firstId) : campaign.id,
      entityName: single ?? campaign.name,
      details:
        (single
          ? `${REVIEW_DECISION_LABELS[data.decision]} "${single}" in campaign "${campaign.name}"`
          : `${REVIEW_DECISION_LABELS[data.decision]} ${formatCount(r.decided)} review items in campaign "${campaign.name}"` +
            ("ids" in selection ? " (a selection)" : " (a filtered set)")) +
        `; ${formatCount(r.wasUndecided)} undecided before, ${formatCount(r.changed - r.wasUndecided)} changed to ${label}` +
        (comment ? `; comment: ${comment}` : ""),
    });
    return { decided: r.decided, decision: data.decision, wasUndecided: r.wasUndecided, changed: r.changed };
  });
}

/**
 * Moves items (by ids or filters) to another member who can decide. Admins
 * and auditors (campaigns:write), while the campaign is a draft or active.
 */
export async function reassignItems(ctx: ServiceContext, campaignId: string, input: unknown): Promise<{ moved: number; reviewer: string }> {
  authorize(ctx, "campaigns:write");
  if (!isUuid(campaignId)) campaignNotFound();
  const data = parseInput(reassignItemsSchema, input);
  const member = await queries.memberForReview(getDb(), ctx.tenantId, data.reviewerId);
  if (!member || !roleCan(member.role as Role, "campaigns:decide"))
    throw validationError({ reviewerId: ["is not a member who can review (an admin or a reviewer of this tenant)"] });
  const selection = selectionOf(ctx, data, null);
  return getDb().transaction(async (tx) => {
    const campaign = (await queries.lockCampaign(tx, ctx.tenantId, campaignId, "share")) ?? campaignNotFound();
    if (campaign.status !== "active" && campaign.status !== "draft") statusConflict(campaign, "reassigned");
    if ("ids" in selection && (await queries.countSelected(tx, ctx.tenantId, campaign.id, selection)) !== selection.ids.length)
      itemNotFound();
    const moved = await queries.reassignItems(tx, ctx.tenantId, campaign.id, selection, { id: member.userId, name: member.email });
    await recordAuditEvent(tx, ctx, {
      entityType: "ReviewItem",
      action: "Reassign",
      entityId: campaign.id,
      entityName: campaign.name,
      details: `Reassigned ${plural(moved, "review item")} in campaign "${campaign.name}" to ${member.email}`,
    });
    return { moved, reviewer: member.email };
  });
}

export const REMEDIATION_PAGE_SIZE = 100;

/**
 * The seam provisioning picks up: revoke decisions of completed campaigns not
 * yet carried out, tenant-wide, oldest item first, in keyset pages.
 */
export async function pendingRemediations(ctx: ServiceContext, opts: { after?: number | string | null; limit?: number } = {}) {
  if (!can(ctx, "provisioning:read")) authorize(ctx, "campaigns:read");
  const { after, limit } = parseInput(
    z.object({
      after: z.coerce.number().int().positive().optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(REMEDIATION_PAGE_SIZE),
    }),
    { after: opts.after ?? undefined, limit: opts.limit ?? undefined },
  );
  const rows = await queries.pendingRemediations(getDb(), ctx.tenantId, { afterId: after ?? null, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return { items: page, next: rows.length > limit ? page.at(-1)!.id : null };
}

/** "My reviews": the caller's active campaigns with how many of their items remain undecided. */
export async function myActiveReviews(ctx: ServiceContext) {
  authorize(ctx, "campaigns:decide");
  if (ctx.actor.type !== "user") return [];
  return queries.activeReviewsOf(getDb(), ctx.tenantId, ctx.actor.id);
}

/**
 * What the review page needs beside a page of items: the campaign's
 * integrations and reviewers to filter by (a signed-in reviewer gets only
 * themselves), and how many items matching the filters the caller could
 * decide in one go (the "all N matching" buttons).
 */
export async function reviewPageFacts(ctx: ServiceContext, campaignId: string, input: ItemFilterInput | Record<string, unknown> = {}) {
  const { campaign } = await getCampaign(ctx, campaignId);
  const f = parseInput(itemFiltersSchema, input);
  const db = getDb();
  const facets = await queries.reviewFacets(db, ctx.tenantId, campaign.id);
  const own = ownItemsOnly(ctx);
  const decidable =
    can(ctx, "campaigns:decide") && campaign.status === "active"
      ? await queries.countSelected(db, ctx.tenantId, campaign.id, { filters: effectiveFilters(ctx, f), reviewerId: deciderScope(ctx) })
      : 0;
  // Everyone's items matching the filters, for those who may hand them to another reviewer.
  const reassignable =
    can(ctx, "campaigns:write") && (campaign.status === "active" || campaign.status === "draft")
      ? await queries.countSelected(db, ctx.tenantId, campaign.id, { filters: effectiveFilters(ctx, f), reviewerId: null })
      : 0;
  return {
    integrations: facets.integrations,
    reviewers: own ? facets.reviewers.filter((r) => r.id === own) : facets.reviewers,
    decidable,
    reassignable,
  };
}
