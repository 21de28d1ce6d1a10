/**
 * The canonical form of a campaign's Sync Context: what the ledger's campaign
 * entry records, what the campaign's snapshot hash covers, what the report's
 * snapshot JSON holds, and what is rebuilt from the live rows when the ledger
 * is verified. One builder, so all of them always agree.
 */
import "server-only";
import type { Executor } from "@/db/client";
import {
  type CampaignRow,
  decisionsDigest,
  decisionTotals,
  getCampaign,
  type SyncContextRow,
  syncContextsOf,
} from "@/db/queries/campaigns";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import { sha256Hex } from "@/lib/crypto/hash";

type ContextRow = Omit<SyncContextRow, "logo">;

export type CampaignDocument = {
  v: 1;
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  dueDate: string;
  createdAt: string;
  createdBy: { id: string | null; name: string };
  reviewerMode: CampaignRow["reviewerMode"];
  reviewerIds: string[];
  filter: CampaignRow["filter"];
  itemCount: number;
  itemsDigest: string;
  syncContext: {
    integrationId: string;
    integrationName: string;
    connector: string;
    logoSha256: string | null;
    sync: {
      id: string;
      status: string;
      startedAt: string | null;
      endedAt: string | null;
      message: string | null;
      counts: Record<string, unknown>;
    };
    stateCounts: Record<string, number>;
    evidence: {
      id: string;
      notes: Record<string, unknown> | null;
      notesHtml: string | null;
      createdBy: string | null;
      createdAt: string | null;
      files: ContextRow["evidenceFiles"];
    } | null;
    itemCount: number;
  }[];
};

export function campaignDocument(
  c: Pick<
    CampaignRow,
    | "id"
    | "tenantId"
    | "name"
    | "description"
    | "dueDate"
    | "createdAt"
    | "createdById"
    | "createdByName"
    | "reviewerMode"
    | "reviewerIds"
    | "filter"
    | "itemCount"
    | "itemsDigest"
  >,
  contexts: ContextRow[],
): CampaignDocument {
  return {
    v: 1,
    id: c.id,
    tenantId: c.tenantId,
    name: c.name,
    description: c.description,
    dueDate: c.dueDate,
    createdAt: c.createdAt,
    createdBy: { id: c.createdById, name: c.createdByName },
    reviewerMode: c.reviewerMode,
    reviewerIds: c.reviewerIds,
    filter: c.filter,
    itemCount: c.itemCount,
    itemsDigest: c.itemsDigest,
    syncContext: [...contexts]
      .sort((a, b) => a.position - b.position)
      .map((x) => ({
        integrationId: x.integrationId,
        integrationName: x.integrationName,
        connector: x.connector,
        logoSha256: x.logoSha256,
        sync: {
          id: x.syncExecutionId,
          status: x.syncStatus,
          startedAt: x.syncStartedAt,
          endedAt: x.syncEndedAt,
          message: x.syncMessage,
          counts: x.syncCounts as Record<string, unknown>,
        },
        stateCounts: x.stateCounts as Record<string, number>,
        evidence: x.evidenceId
          ? {
              id: x.evidenceId,
              notes: x.evidenceNotes,
              notesHtml: x.evidenceNotesHtml,
              createdBy: x.evidenceCreatedByName,
              createdAt: x.evidenceCreatedAt,
              files: x.evidenceFiles,
            }
          : null,
        itemCount: x.itemCount,
      })),
  };
}

/** SHA-256 of the document's RFC 8785 form: the campaign's snapshot hash. */
export function snapshotHashOf(doc: CampaignDocument): string {
  return sha256Hex(canonicalJson(doc));
}

/** The documents of some campaigns, rebuilt from their rows (for the ledger verifier). */
export async function loadCampaignDocuments(db: Executor, tenantId: string, ids: string[]): Promise<Map<string, CampaignDocument>> {
  const out = new Map<string, CampaignDocument>();
  if (ids.length === 0) return out;
  const contexts = await syncContextsOf(db, tenantId, ids);
  for (const id of new Set(ids)) {
    const c = await getCampaign(db, tenantId, id);
    if (c)
      out.set(
        id,
        campaignDocument(
          c,
          contexts.filter((x) => x.campaignId === id),
        ),
      );
  }
  return out;
}

/**
 * A campaign's completion as its "campaign_completion" ledger entry records
 * it: the totals and the digest over every decision (db/queries/campaigns.ts,
 * decisionsDigest, documents the line format), tied to the Sync Context by
 * its snapshot hash and the items by their digest.
 */
export type CompletionDocument = {
  v: 1;
  campaignId: string;
  tenantId: string;
  name: string;
  snapshotHash: string;
  itemsDigest: string;
  itemCount: number;
  completedAt: string;
  completedBy: string;
  decisionsDigest: string;
  totals: { approved: number; revoked: number; undecided: number };
};

export function completionDocument(
  c: Pick<CampaignRow, "id" | "tenantId" | "name" | "snapshotHash" | "itemsDigest" | "itemCount">,
  completion: { completedAt: string; completedBy: string; decisionsDigest: string; totals: CompletionDocument["totals"] },
): CompletionDocument {
  return {
    v: 1,
    campaignId: c.id,
    tenantId: c.tenantId,
    name: c.name,
    snapshotHash: c.snapshotHash,
    itemsDigest: c.itemsDigest,
    itemCount: c.itemCount,
    completedAt: completion.completedAt,
    completedBy: completion.completedBy,
    decisionsDigest: completion.decisionsDigest,
    totals: completion.totals,
  };
}

/**
 * The completion documents of some campaigns, rebuilt from the live items (the
 * digest and totals are recomputed, not read from the campaign row), so a
 * decision edited after completion shows as a difference.
 */
export async function loadCompletionDocuments(db: Executor, tenantId: string, ids: string[]): Promise<Map<string, CompletionDocument>> {
  const out = new Map<string, CompletionDocument>();
  for (const id of new Set(ids)) {
    const c = await getCampaign(db, tenantId, id);
    if (c?.status !== "completed" || !c.endedAt) continue;
    const { approved, revoked, undecided } = await decisionTotals(db, id);
    out.set(
      id,
      completionDocument(c, {
        completedAt: c.endedAt.toISOString(),
        completedBy: c.endedByName ?? "",
        decisionsDigest: await decisionsDigest(db, id),
        totals: { approved, revoked, undecided },
      }),
    );
  }
  return out;
}
