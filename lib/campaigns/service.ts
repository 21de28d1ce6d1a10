/**
 * Access-review campaigns: the preview of what a filter selects, creation
 * (which freezes the Sync Context and copies the review items in one
 * transaction and queues the snapshot for the ledger), and reading campaigns
 * back. A reviewer sees only campaigns with items assigned to them; the
 * decisions themselves are in ./review.ts.
 *
 * The Sync Context is copied, never joined: a later sync, new evidence, a
 * renamed or deleted integration or a new logo leaves the campaign as it was.
 * Logos are read from the object store before the transaction (they are small
 * and immutable under their upload id); everything else is read inside it, at
 * REPEATABLE READ, so the captured syncs, their evidence and the items copied
 * from the state they produced are one consistent moment.
 */
import "server-only";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/campaigns";
import { queueLedgerRecord } from "@/db/queries/ledger";
import { grantChoices as grantChoicesQuery } from "@/db/queries/campaign-form";
import { listMembers } from "@/db/queries/members";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { roleCan } from "@/lib/auth/permissions";
import { recordAuditEvent } from "@/lib/audit/service";
import { sha256Hex } from "@/lib/crypto/hash";
import type { CampaignFilter } from "@/lib/domain/campaign-filter";
import { OBJECT_TYPES, type ObjectType, type Role } from "@/lib/domain/enums";
import { AppError } from "@/lib/errors";
import { renderNotesHtml, type NotesDocument } from "@/lib/evidence/notes";
import { DOWNLOAD_LINK_SECONDS } from "@/lib/evidence/service";
import { formatCount, plural } from "@/lib/format";
import { getObjectStore } from "@/lib/storage";
import { isUuid, parseInput, validationError } from "@/lib/validation";
import { campaignDocument, snapshotHashOf } from "./record";
import { createCampaignSchema, previewCampaignSchema } from "./schemas";

const notFound = (): never => {
  throw new AppError("not_found:campaign", "No such campaign.");
};

/** The user id of a signed-in reviewer whose view is limited to their own items; null for everyone else. */
export function ownItemsOnly(ctx: ServiceContext): string | null {
  return ctx.actor.type === "user" && ctx.role === "reviewer" ? ctx.actor.id : null;
}

export type IntegrationPreview = {
  integrationId: string;
  name: string;
  /** Null when the integration has no completed sync: it cannot be included. */
  sync: { id: string; endedAt: string | null } | null;
  counts: Partial<Record<ObjectType, number>>;
  total: number;
};

export type CampaignPreview = {
  integrations: IntegrationPreview[];
  total: number;
  /** Sentences naming what stops the campaign from being created. */
  problems: string[];
};

/** The included integrations of this tenant, refusing unknown ids (another tenant's look the same). */
async function integrationsOf(ctx: ServiceContext, ids: string[]) {
  const rows = await queries.integrationsForCapture(getDb(), ctx.tenantId, ids);
  const known = new Map(rows.map((r) => [r.id, r]));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length)
    throw validationError({
      "filter.integrationIds": [
        `${plural(unknown.length, "is not an integration", "are not integrations")} of this tenant: ${unknown.join(", ")}. Choose from the integrations list`,
      ],
    });
  return ids.map((id) => known.get(id)!);
}

/** How many review items the filter selects per integration, and what would stop a campaign from being created. */
export async function previewCampaign(ctx: ServiceContext, input: unknown): Promise<CampaignPreview> {
  authorize(ctx, "campaigns:write");
  const { filter } = parseInput(previewCampaignSchema, input);
  const db = getDb();
  const included = await integrationsOf(ctx, filter.integrationIds);
  const syncs = new Map((await queries.latestCompletedSyncs(db, ctx.tenantId, filter.integrationIds)).map((s) => [s.integrationId, s]));
  const counts = await queries.previewItemCounts(db, ctx.tenantId, filter);
  const integrations = included.map((i): IntegrationPreview => {
    const mine = counts.filter((c) => c.integrationId === i.id);
    const sync = syncs.get(i.id);
    return {
      integrationId: i.id,
      name: i.name,
      sync: sync ? { id: sync.id, endedAt: sync.endedAt } : null,
      counts: Object.fromEntries(mine.map((c) => [c.objectType, c.count])),
      total: mine.reduce((n, c) => n + c.count, 0),
    };
  });
  const total = integrations.reduce((n, i) => n + i.total, 0);
  return { integrations, total, problems: capturableProblems(integrations, total) };
}

function capturableProblems(integrations: IntegrationPreview[], total: number): string[] {
  const problems = integrations
    .filter((i) => !i.sync)
    .map((i) => `"${i.name}" has no completed sync yet, so there is nothing to review from it: run a sync of it first, or leave it out.`);
  if (problems.length === 0 && total === 0)
    problems.push("The filter selects no review items: include more integrations or entity types, or loosen the groups and conditions.");
  return problems;
}

/** Members who may decide review items (the roles with campaigns:decide), by user id. */
async function deciders(tenantId: string) {
  const members = await listMembers(getDb(), tenantId);
  return new Map(members.filter((m) => roleCan(m.role as Role, "campaigns:decide")).map((m) => [m.userId, m]));
}

/**
 * Creates a campaign: checks the filter and the reviewers, freezes the Sync
 * Context, copies the review items, and queues the snapshot for the ledger,
 * all in one transaction. Returns the new campaign's id.
 */
export async function createCampaign(ctx: ServiceContext, input: unknown): Promise<{ id: string; itemCount: number }> {
  authorize(ctx, "campaigns:write");
  const data = parseInput(createCampaignSchema, input);
  const included = await integrationsOf(ctx, data.filter.integrationIds);

  const allowed = await deciders(ctx.tenantId);
  let assign: queries.ReviewerAssignment;
  if (data.reviewerMode === "members") {
    const bad = data.reviewerIds.filter((id) => !allowed.has(id));
    if (bad.length)
      throw validationError({
        reviewerIds: [
          `${plural(bad.length, "is not a member who can review", "are not members who can review")} (an admin or a reviewer of this tenant): ${bad.join(", ")}`,
        ],
      });
    assign = { mode: "members", reviewerIds: data.reviewerIds };
  } else {
    const problems = included
      .filter((i) => !i.ownerId || !allowed.has(i.ownerId))
      .map((i) =>
        i.ownerId
          ? `"${i.name}" is owned by ${i.ownerName}, who cannot review (only admins and reviewers can): give it another owner or choose reviewers`
          : `"${i.name}" has no owner: give it one, or choose reviewers instead`,
      );
    if (problems.length) throw validationError({ reviewerMode: problems });
    assign = { mode: "owners", owners: included.map((i) => ({ integrationId: i.id, ownerId: i.ownerId! })) };
  }

  const logos = new Map<string, { bytes: Buffer; contentType: string; sha256: string }>();
  for (const i of included) {
    if (!i.logoObjectKey || !i.logoContentType) continue;
    const bytes = await readLogo(i.logoObjectKey);
    if (bytes) logos.set(i.id, { bytes, contentType: i.logoContentType, sha256: sha256Hex(bytes) });
  }

  const filter: CampaignFilter = data.filter;
  const result = await getDb().transaction(
    async (tx) => {
      const syncs = new Map((await queries.latestCompletedSyncs(tx, ctx.tenantId, filter.integrationIds)).map((s) => [s.integrationId, s]));
      const missing = included.filter((i) => !syncs.has(i.id));
      if (missing.length)
        throw validationError({
          "filter.integrationIds": missing.map(
            (i) => `"${i.name}" has no completed sync yet, so there is nothing to review from it: run a sync of it first, or leave it out`,
          ),
        });
      const createdAt = new Date().toISOString();
      const campaign = await queries.insertCampaign(tx, {
        tenantId: ctx.tenantId,
        name: data.name,
        description: data.description || null,
        status: data.start ? "active" : "draft",
        dueDate: data.dueDate,
        reviewerMode: data.reviewerMode,
        reviewerIds: data.reviewerIds,
        filter,
        snapshotHash: "",
        itemsDigest: "",
        itemCount: 0,
        createdById: ctx.actor.type === "user" ? ctx.actor.id : null,
        createdByName: ctx.actor.name,
        createdAt,
        startedAt: data.start ? new Date(createdAt) : null,
      });
      const copied = await queries.copyItems(tx, { id: campaign.id, tenantId: ctx.tenantId }, filter, assign);
      const itemCount = copied.reduce((n, c) => n + c.count, 0);
      if (itemCount === 0)
        throw new AppError(
          "unprocessable:empty_campaign",
          "The filter selects no review items: include more integrations or entity types, or loosen the groups and conditions.",
        );
      const itemsDigest = await queries.itemsDigest(tx, campaign.id);
      const evidence = new Map(
        (
          await queries.evidenceOfSyncs(
            tx,
            ctx.tenantId,
            [...syncs.values()].map((s) => s.id),
          )
        ).map((e) => [e.syncExecutionId, e]),
      );
      const stateCounts = await queries.stateCounts(tx, ctx.tenantId, filter.integrationIds);
      const contexts: queries.NewSyncContext[] = included.map((i, position) => {
        const sync = syncs.get(i.id)!;
        const ev = evidence.get(sync.id);
        const logo = logos.get(i.id);
        return {
          tenantId: ctx.tenantId,
          campaignId: campaign.id,
          position,
          integrationId: i.id,
          integrationName: i.name,
          connector: i.connector,
          logo: logo?.bytes ?? null,
          logoContentType: logo?.contentType ?? null,
          logoSha256: logo?.sha256 ?? null,
          syncExecutionId: sync.id,
          syncStatus: sync.status,
          syncStartedAt: sync.startedAt,
          syncEndedAt: sync.endedAt,
          syncMessage: sync.message,
          syncCounts: sync.counts,
          stateCounts: Object.fromEntries(stateCounts.filter((c) => c.integrationId === i.id).map((c) => [c.objectType, c.count])),
          evidenceId: ev?.id ?? null,
          evidenceNotes: ev?.notes ?? null,
          evidenceNotesHtml: ev?.notes ? renderNotesHtml(ev.notes as unknown as NotesDocument) : null,
          evidenceCreatedByName: ev?.createdByName ?? null,
          evidenceCreatedAt: ev?.createdAt ?? null,
          evidenceFiles: (ev?.files ?? []).map((f) => ({ ...f, size: Number(f.size) })),
          itemCount: copied.filter((c) => c.integrationId === i.id).reduce((n, c) => n + c.count, 0),
        };
      });
      await queries.insertSyncContexts(tx, contexts);
      const doc = campaignDocument(
        { ...campaign, tenantId: ctx.tenantId, itemCount, itemsDigest },
        contexts.map(({ logo: _l, ...c }) => c as Parameters<typeof campaignDocument>[1][number]),
      );
      const snapshotHash = snapshotHashOf(doc);
      await queries.setCampaignCounts(tx, campaign.id, { itemCount, itemsDigest, snapshotHash });
      await queueLedgerRecord(tx, { tenantId: ctx.tenantId, kind: "campaign", refId: campaign.id, record: doc, createdAt });
      await recordAuditEvent(tx, ctx, {
        entityType: "Campaign",
        action: "Create",
        entityId: campaign.id,
        entityName: campaign.name,
        details:
          `Created campaign "${campaign.name}" (${data.start ? "active" : "draft"}, due ${data.dueDate}) with ` +
          `${formatCount(itemCount)} review ${plural(itemCount, "item")} from ${plural(included.length, "integration")}; ` +
          `Sync Context SHA-256 ${snapshotHash}`,
      });
      return { id: campaign.id, itemCount };
    },
    { isolationLevel: "repeatable read" },
  );
  return result;
}

async function readLogo(key: string): Promise<Buffer | null> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await getObjectStore().get(key)) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  } catch (e) {
    // A logo missing from storage is captured as no logo; the integration is still reviewed.
    if (e instanceof AppError && e.code === "not_found:object") return null;
    throw e;
  }
}

/** A campaign the caller may see: a reviewer only one with items assigned to them, and not a draft. */
export async function getCampaign(ctx: ServiceContext, id: string) {
  authorize(ctx, "campaigns:read");
  if (!isUuid(id)) notFound();
  const db = getDb();
  const campaign = (await queries.getCampaign(db, ctx.tenantId, id)) ?? notFound();
  const progress = await queries.campaignProgressOf(db, ctx.tenantId, id);
  const reviewer = ownItemsOnly(ctx);
  if (reviewer && (campaign.status === "draft" || !progress.some((p) => p.reviewerId === reviewer))) notFound();
  return { campaign, progress };
}

export type CampaignListPage = Awaited<ReturnType<typeof listCampaigns>>;

/** Campaigns newest first, in keyset pages. */
export async function listCampaigns(ctx: ServiceContext, opts: { after?: string | null; limit?: number } = {}) {
  authorize(ctx, "campaigns:read");
  const limit = Math.min(Math.max(opts.limit ?? 25, 1), 100);
  const after = opts.after ? decodeCampaignCursor(opts.after) : null;
  const rows = await queries.listCampaigns(getDb(), ctx.tenantId, { limit: limit + 1, after, reviewerId: ownItemsOnly(ctx) });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    campaigns: page,
    next: rows.length > limit && last ? Buffer.from(`${last.createdAt}|${last.id}`).toString("base64url") : null,
  };
}

function decodeCampaignCursor(value: string) {
  const [createdAt, id] = Buffer.from(value, "base64url").toString("utf8").split("|");
  if (!createdAt || !isUuid(id) || Number.isNaN(Date.parse(createdAt)))
    throw new AppError("bad_request:cursor", "The page cursor is not valid: start again from the first page.");
  return { createdAt, id };
}

/**
 * The Sync Context as frozen at creation, with — beyond it — whether each
 * integration has synced since and how its current state's counts differ.
 */
export async function getSyncContext(ctx: ServiceContext, id: string) {
  const { campaign } = await getCampaign(ctx, id);
  const db = getDb();
  const contexts = await queries.syncContextsOf(db, ctx.tenantId, [id]);
  const ids = contexts.map((c) => c.integrationId);
  const latest = new Map((await queries.latestCompletedSyncs(db, ctx.tenantId, ids)).map((s) => [s.integrationId, s]));
  const now = await queries.stateCounts(db, ctx.tenantId, ids);
  const store = getObjectStore();
  const cards = await Promise.all(
    contexts.map(async (c) => {
      const newest = latest.get(c.integrationId);
      const current = Object.fromEntries(now.filter((n) => n.integrationId === c.integrationId).map((n) => [n.objectType, n.count]));
      const files = await Promise.all(
        c.evidenceFiles.map(async (f, index) => ({ ...f, index, inStorage: (await store.head(f.objectKey).catch(() => null)) !== null })),
      );
      return {
        ...c,
        evidenceFiles: files,
        syncedSince: newest && newest.id !== c.syncExecutionId ? { id: newest.id, endedAt: newest.endedAt } : null,
        countChanges: OBJECT_TYPES.map((type) => {
          const atCreation = (c.stateCounts as Record<string, number>)[type] ?? 0;
          const latest = (current as Record<string, number>)[type] ?? 0;
          return { type, atCreation, latest, change: latest - atCreation };
        }).filter((x) => x.atCreation !== 0 || x.latest !== 0),
      };
    }),
  );
  return { campaign: { id: campaign.id, name: campaign.name, filter: campaign.filter, snapshotHash: campaign.snapshotHash }, cards };
}

/** A captured logo, served from the campaign's own copy. */
export async function getSyncContextLogo(ctx: ServiceContext, id: string, position: number) {
  await getCampaign(ctx, id);
  const row = await queries.syncContextLogo(getDb(), ctx.tenantId, id, position);
  if (!row?.logo || !row.contentType) throw new AppError("not_found:logo", "This integration had no logo when the campaign was created.");
  return { bytes: row.logo, contentType: row.contentType, sha256: row.sha256 };
}

/**
 * A 5-minute download link for an evidence file as the Sync Context recorded
 * it, for a caller who may read the campaign and download evidence; audited
 * like any evidence download.
 */
export async function syncContextFileLink(ctx: ServiceContext, id: string, position: number, fileIndex: number): Promise<string> {
  authorize(ctx, "evidence:read");
  const { campaign } = await getCampaign(ctx, id);
  const contexts = await queries.syncContextsOf(getDb(), ctx.tenantId, [id]);
  const card = contexts.find((c) => c.position === position);
  const file = card?.evidenceFiles[fileIndex];
  if (!card || !file) throw new AppError("not_found:evidence_file", "No such evidence file in this campaign's Sync Context.");
  await recordAuditEvent(getDb(), ctx, {
    entityType: "Evidence",
    action: "Download",
    entityId: card.evidenceId,
    entityName: file.name,
    details: `Downloaded evidence file "${file.name}" (SHA-256 ${file.sha256}) from the Sync Context of campaign "${campaign.name}"`,
  });
  return getObjectStore().signedDownloadUrl(file.objectKey, {
    filename: file.name,
    contentType: file.contentType,
    expiresInSeconds: DOWNLOAD_LINK_SECONDS,
  });
}

/** The members a campaign's items can be dealt to: admins and reviewers (the roles that can decide). */
export async function reviewerCandidates(ctx: ServiceContext) {
  authorize(ctx, "campaigns:write");
  return [...(await deciders(ctx.tenantId)).values()].map((m) => ({ userId: m.userId, name: m.name, email: m.email, role: m.role }));
}

/** How many group, role and entitlement choices the new-campaign form lists; more are typed as external ids. */
export const GRANT_CHOICES_LIMIT = 500;

/** The groups, roles and entitlements the chosen integrations hold now, for the filter's group choice. */
export async function grantChoices(ctx: ServiceContext, integrationIds: string[]) {
  authorize(ctx, "campaigns:write");
  const ids = integrationIds.filter(isUuid).slice(0, 200);
  return grantChoicesQuery(getDb(), ctx.tenantId, ids, GRANT_CHOICES_LIMIT);
}

/**
 * The campaign with its progress summed by reviewer and by integration, named:
 * reviewers by their email ("Former member" once they have left), integrations by the name the Sync Context captured. A reviewer's
 * figures count only the items assigned to them.
 */
export async function getCampaignSummary(ctx: ServiceContext, id: string) {
  const { campaign, progress } = await getCampaign(ctx, id);
  const db = getDb();
  const own = ownItemsOnly(ctx);
  const [members, contexts] = await Promise.all([listMembers(db, ctx.tenantId), queries.syncContextsOf(db, ctx.tenantId, [id])]);
  // By email, as the items record their reviewer.
  const memberName = new Map(members.map((m) => [m.userId, m.email]));
  const integrationName = new Map(contexts.map((c) => [c.integrationId, c.integrationName]));
  const scoped = own ? progress.filter((p) => p.reviewerId === own) : progress;
  const sum = <K extends string>(key: (p: (typeof progress)[number]) => K) => {
    const out = new Map<K, { total: number; approved: number; revoked: number }>();
    for (const p of scoped) {
      const row = out.get(key(p)) ?? { total: 0, approved: 0, revoked: 0 };
      row.total += p.total;
      row.approved += p.approved;
      row.revoked += p.revoked;
      out.set(key(p), row);
    }
    return out;
  };
  const totals = scoped.reduce((t, p) => ({ total: t.total + p.total, decided: t.decided + p.approved + p.revoked }), {
    total: 0,
    decided: 0,
  });
  const byReviewer = [...sum((p) => p.reviewerId)].map(([reviewerId, n]) => ({
    reviewerId,
    name: reviewerId === NO_REVIEWER ? "No reviewer" : (memberName.get(reviewerId) ?? "Former member"),
    ...n,
  }));
  const byIntegration = [...sum((p) => p.integrationId)].map(([integrationId, n]) => ({
    integrationId,
    name: integrationName.get(integrationId) ?? integrationId,
    ...n,
  }));
  return {
    campaign,
    totals,
    byReviewer,
    byIntegration,
    integrations: contexts.map((c) => ({ id: c.integrationId, name: c.integrationName })),
  };
}

/** campaign_progress keeps items without a reviewer under the nil uuid. */
const NO_REVIEWER = "00000000-0000-0000-0000-000000000000";
