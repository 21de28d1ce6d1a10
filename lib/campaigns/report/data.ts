/**
 * What a campaign's Audit Report says, gathered once for both formats: the
 * campaign, its frozen Sync Context as the canonical document the ledger
 * sealed, totals per integration, the proof bundle and its verification at
 * generation time. The decisions themselves are not gathered here: they are
 * read in keyset batches as each format writes them (decisionBatches).
 */
import "server-only";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/campaigns";
import type { ServiceContext } from "@/lib/auth/context";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import type { CampaignFilter } from "@/lib/domain/campaign-filter";
import { CONDITION_OPERATOR_LABELS, OBJECT_TYPE_LABELS } from "@/lib/domain/enums";
import { AppError } from "@/lib/errors";
import { type BundleVerification, type ProofBundle, verifyBundle } from "@/lib/ledger/bundle";
import { campaignProofBundle } from "@/lib/ledger/service";
import { type CampaignDocument, campaignDocument, snapshotHashOf } from "../record";

/** Rows per round trip when the decisions are written out. */
export const DECISION_BATCH = 500;
/**
 * Fewer for the PDF: laying out a row allocates far more than the row, so a
 * batch of 500 outlives young-generation collections, is promoted, and
 * accumulates as old-space garbage V8 reclaims late (peak RSS of a
 * 200,000-row layout +87 MB at 500, +14 MB at 200).
 */
export const PDF_DECISION_BATCH = 200;

export type IntegrationTotals = {
  integrationId: string;
  name: string;
  total: number;
  approved: number;
  revoked: number;
  undecided: number;
};

export type ReportData = {
  campaign: NonNullable<Awaited<ReturnType<typeof queries.getCampaign>>>;
  contexts: Awaited<ReturnType<typeof queries.syncContextsOf>>;
  /** The Sync Context as the canonical document (record.ts); its RFC 8785 bytes are the report's sync-context.json. */
  document: CampaignDocument;
  documentJson: string;
  snapshotHash: string;
  totals: { total: number; approved: number; revoked: number; undecided: number };
  byIntegration: IntegrationTotals[];
  bundle: ProofBundle;
  verification: BundleVerification;
  generatedAt: string;
  generatedBy: string;
};

export async function loadReportData(ctx: ServiceContext, campaignId: string): Promise<ReportData> {
  const db = getDb();
  const campaign = await queries.getCampaign(db, ctx.tenantId, campaignId);
  if (!campaign) throw new AppError("not_found:campaign", "No such campaign.");
  const contexts = await queries.syncContextsOf(db, ctx.tenantId, [campaignId]);
  const document = campaignDocument(campaign, contexts);
  const documentJson = canonicalJson(document);
  const progress = await queries.campaignProgressOf(db, ctx.tenantId, campaignId);
  const byIntegration = contexts.map((c): IntegrationTotals => {
    const rows = progress.filter((p) => p.integrationId === c.integrationId);
    const total = rows.reduce((n, p) => n + p.total, 0);
    const approved = rows.reduce((n, p) => n + p.approved, 0);
    const revoked = rows.reduce((n, p) => n + p.revoked, 0);
    return { integrationId: c.integrationId, name: c.integrationName, total, approved, revoked, undecided: total - approved - revoked };
  });
  const sum = (k: keyof Omit<IntegrationTotals, "integrationId" | "name">) => byIntegration.reduce((n, i) => n + i[k], 0);
  const bundle = await campaignProofBundle(ctx, campaignId);
  const verification = verifyBundle(bundle, { campaignSnapshot: { label: "The Sync Context", text: documentJson } });
  return {
    campaign,
    contexts,
    document,
    documentJson,
    snapshotHash: snapshotHashOf(document),
    totals: { total: sum("total"), approved: sum("approved"), revoked: sum("revoked"), undecided: sum("undecided") },
    byIntegration,
    bundle,
    verification,
    generatedAt: new Date().toISOString(),
    generatedBy: ctx.actor.name,
  };
}

/** Every item of the campaign with its decision, in copy order, a keyset batch at a time. */
export async function* decisionBatches(
  tenantId: string,
  campaignId: string,
  integrationNames: Map<string, string>,
  limit = DECISION_BATCH,
): AsyncGenerator<queries.CampaignItemRow[]> {
  let after: number | null = null;
  for (;;) {
    const rows = await queries.reportItems(getDb(), tenantId, campaignId, { afterId: after, limit });
    if (rows.length === 0) return;
    yield rows.map((r) => ({ ...r, integrationName: integrationNames.get(r.integrationId) ?? r.integrationId }));
    if (rows.length < limit) return;
    after = rows[rows.length - 1].id;
  }
}

/** The filter as a person would say it. */
export function filterInWords(filter: CampaignFilter, integrationNames: Map<string, string>): [string, string][] {
  const types = filter.entityTypes.map((t) => OBJECT_TYPE_LABELS[t]?.toLowerCase() ?? t);
  return [
    ["Integrations", filter.integrationIds.map((id) => integrationNames.get(id) ?? id).join(", ")],
    ["Entity types", types.join(", ")],
    ["Groups, roles, entitlements", filter.groups.length ? filter.groups.join(", ") : "Any"],
    [
      "Account conditions",
      filter.conditions.length
        ? filter.conditions
            .map(
              (c) =>
                `${c.field} ${CONDITION_OPERATOR_LABELS[c.operator]}${c.value !== undefined && !c.operator.startsWith("is_") ? ` "${c.value}"` : ""}`,
            )
            .join(" and ")
        : "None (every account)",
    ],
  ];
}

/** Who decided, or who holds it still undecided. */
export function reviewerOf(item: queries.CampaignItemRow): string {
  return item.decidedByName ?? (item.reviewerName ? `${item.reviewerName} (assigned)` : "—");
}
