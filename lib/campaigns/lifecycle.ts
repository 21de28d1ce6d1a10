/**
 * A campaign's lifecycle: a draft is started (its reviewers can then decide),
 * an open campaign is cancelled with a reason, and an active one is completed.
 *
 * Completing freezes the campaign (a trigger refuses any later change to its
 * decisions) and seals the digest of every decision into the ledger as a
 * "campaign_completion" entry, so `ledger:verify` catches a decision edited
 * afterwards. Completing while items are still undecided is refused unless
 * `force` is set: an auditor expects an incomplete review to be a deliberate,
 * recorded choice, so the audit event and the ledger record both state how
 * many items were left undecided. The revokes of accounts and memberships on
 * applications with provisioning switched on are queued as revoke tasks in the
 * same transaction (lib/provisioning/remediation.ts).
 */
import "server-only";
import { z } from "zod";
import { type Executor, getDb } from "@/db/client";
import * as queries from "@/db/queries/campaigns";
import { queueLedgerRecord } from "@/db/queries/ledger";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { formatCount, plural } from "@/lib/format";
import { queueCampaignRevokes, type RevokesQueued } from "@/lib/provisioning/remediation";
import { isUuid, parseInput } from "@/lib/validation";
import { completionDocument } from "./record";

export const CANCEL_REASON_MAX = 1000;

export const cancelCampaignSchema = z.object({
  reason: z.string().trim().min(1, "is required: say why the campaign is cancelled").max(CANCEL_REASON_MAX),
});
export const completeCampaignSchema = z.object({ force: z.boolean().default(false) });

const notFound = (): never => {
  throw new AppError("not_found:campaign", "No such campaign.");
};

async function locked(tx: Executor, ctx: ServiceContext, id: string) {
  if (!isUuid(id)) notFound();
  return (await queries.lockCampaign(tx, ctx.tenantId, id, "update")) ?? notFound();
}

function finalConflict(c: { name: string; status: string }): never {
  throw new AppError(`conflict:campaign_${c.status}`, `Campaign "${c.name}" was already ${c.status}: it can no longer change.`);
}

/** Opens a draft to its reviewers. */
export async function startCampaign(ctx: ServiceContext, id: string) {
  authorize(ctx, "campaigns:write");
  return getDb().transaction(async (tx) => {
    const c = await locked(tx, ctx, id);
    if (c.status === "active") throw new AppError("conflict:campaign_active", `Campaign "${c.name}" is already active.`);
    if (c.status !== "draft") finalConflict(c);
    await queries.setCampaignStatus(tx, c.id, { status: "active", startedAt: new Date() });
    await recordAuditEvent(tx, ctx, {
      entityType: "Campaign",
      action: "Start",
      entityId: c.id,
      entityName: c.name,
      details: `Started campaign "${c.name}": its reviewers can now decide their items`,
      before: { status: "draft" },
      after: { status: "active" },
    });
    return { id: c.id, status: "active" as const };
  });
}

/** Ends a draft or active campaign without a result; its decisions so far are kept as they are. */
export async function cancelCampaign(ctx: ServiceContext, id: string, input: unknown) {
  authorize(ctx, "campaigns:write");
  const { reason } = parseInput(cancelCampaignSchema, input);
  return getDb().transaction(async (tx) => {
    const c = await locked(tx, ctx, id);
    if (c.status !== "draft" && c.status !== "active") finalConflict(c);
    await queries.setCampaignStatus(tx, c.id, { status: "cancelled", endedAt: new Date(), endedByName: ctx.actor.name });
    await recordAuditEvent(tx, ctx, {
      entityType: "Campaign",
      action: "Cancel",
      entityId: c.id,
      entityName: c.name,
      details: `Cancelled campaign "${c.name}": ${reason}`,
      before: { status: c.status },
      after: { status: "cancelled" },
    });
    return { id: c.id, status: "cancelled" as const };
  });
}

export type CompletionResult = {
  id: string;
  status: "completed";
  decisionsDigest: string;
  totals: { approved: number; revoked: number; undecided: number };
  remediation: Omit<RevokesQueued, "note">;
  message: string;
};

/**
 * Completes an active campaign: freezes its decisions, stores their digest on
 * the campaign and queues the completion for the ledger. Refused while items
 * are undecided unless `force` is true.
 */
export async function completeCampaign(ctx: ServiceContext, id: string, input: unknown = {}): Promise<CompletionResult> {
  authorize(ctx, "campaigns:write");
  const { force } = parseInput(completeCampaignSchema, input ?? {});
  return getDb().transaction(async (tx) => {
    const c = await locked(tx, ctx, id);
    if (c.status === "draft")
      throw new AppError("conflict:campaign_draft", `Campaign "${c.name}" is a draft: start the campaign first, then complete it.`);
    if (c.status !== "active") finalConflict(c);
    const { approved, revoked, undecided } = await queries.decisionTotals(tx, c.id);
    if (undecided > 0 && !force)
      throw new AppError(
        "conflict:campaign_undecided",
        `Campaign "${c.name}" still has ${plural(undecided, "undecided item")}: decide them, or complete it anyway (force) to record them as left undecided.`,
      );
    const digest = await queries.decisionsDigest(tx, c.id);
    const endedAt = new Date();
    const completedAt = endedAt.toISOString();
    await queries.setCampaignStatus(tx, c.id, { status: "completed", endedAt, endedByName: ctx.actor.name, decisionsDigest: digest });
    const campaign = (await queries.getCampaign(tx, ctx.tenantId, c.id))!;
    const totals = { approved, revoked, undecided };
    const record = completionDocument(campaign, { completedAt, completedBy: ctx.actor.name, decisionsDigest: digest, totals });
    await queueLedgerRecord(tx, { tenantId: ctx.tenantId, kind: "campaign_completion", refId: c.id, record, createdAt: completedAt });
    const { note, ...remediation } = await queueCampaignRevokes(tx, ctx, c.id);
    const message =
      `Completed campaign "${c.name}": ${formatCount(approved)} approved, ${formatCount(revoked)} revoked` +
      (undecided ? `, ${plural(undecided, "item")} left undecided` : "") +
      `; decisions SHA-256 ${digest}` +
      (remediation.queued ? `; ${plural(remediation.queued, "revoke task")} queued` : "") +
      (note ? `; ${note}` : "");
    await recordAuditEvent(tx, ctx, {
      entityType: "Campaign",
      action: "Complete",
      entityId: c.id,
      entityName: c.name,
      details: message,
      before: { status: "active" },
      after: { status: "completed" },
    });
    return { id: c.id, status: "completed" as const, decisionsDigest: digest, totals, remediation, message };
  });
}
