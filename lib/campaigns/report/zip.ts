/**
 * The Audit Report as a ZIP, streamed: the decisions as CSV, the Sync Context
 * exactly as the ledger sealed it, the evidence manifest, the campaign's
 * offline proof bundle, the PDF, and a README saying how to verify them.
 * Members are written one after another as the reader pulls; the decisions
 * are read in keyset batches for the CSV and again for the PDF.
 */
import "server-only";
import { Readable } from "node:stream";
import { ZipArchive } from "archiver";
import type { CampaignItemRow } from "@/db/queries/campaigns";
import { csvLine } from "@/lib/http/csv";
import { REPORT_ZIP_FILES } from "@/lib/ledger/report-zip";
import type { ReportData } from "./data";

export const DECISION_CSV_COLUMNS = [
  "item_id",
  "integration",
  "integration_id",
  "sync_execution_id",
  "object_type",
  "external_id",
  "account",
  "display_name",
  "group_or_entitlement",
  "group_or_entitlement_id",
  "reviewer",
  "assigned_reviewer",
  "decision",
  "decided_at",
  "comment",
  "remediation",
] as const;

function decisionCells(d: CampaignItemRow): string[] {
  return [
    String(d.id),
    d.integrationName,
    d.integrationId,
    d.syncExecutionId,
    d.objectType,
    d.externalId,
    d.accountName ?? "",
    d.displayName ?? "",
    d.targetName ?? "",
    d.targetExternalId ?? "",
    d.decidedByName ?? "",
    d.reviewerName ?? "",
    d.decision ?? "undecided",
    d.decidedAt ?? "",
    d.comment ?? "",
    d.remediation ?? "",
  ];
}

async function* decisionsCsv(batches: AsyncIterable<CampaignItemRow[]>): AsyncGenerator<string> {
  yield `\uFEFF${csvLine(DECISION_CSV_COLUMNS)}`;
  for await (const batch of batches) {
    let chunk = "";
    for (const d of batch) chunk += csvLine(decisionCells(d));
    yield chunk;
  }
}

/** Per integration, the evidence files the Sync Context recorded and where evidence storage keeps them. */
export function evidenceManifest(data: ReportData) {
  return {
    campaignId: data.campaign.id,
    snapshotHash: data.snapshotHash,
    integrations: data.contexts.map((c) => ({
      integrationId: c.integrationId,
      integrationName: c.integrationName,
      syncExecutionId: c.syncExecutionId,
      evidenceId: c.evidenceId,
      files: c.evidenceFiles.map((f) => ({
        name: f.name,
        size: f.size,
        contentType: f.contentType,
        sha256: f.sha256,
        objectKey: f.objectKey,
        versionId: f.versionId,
      })),
    })),
  };
}

function readme(data: ReportData): string {
  const cp = data.bundle.checkpoint;
  return [
    `Audit Report of access review campaign "${data.campaign.name}" (${data.campaign.id})`,
    `Generated ${data.generatedAt} by ${data.generatedBy}.`,
    "",
    "Contents",
    "  report.pdf              the report to read and hand on",
    "  decisions.csv           every review item with its decision, reviewer, time and comment",
    `  ${REPORT_ZIP_FILES.syncContext}       the Sync Context frozen at creation, in canonical JSON (RFC 8785):`,
    "                          exactly the record the campaign's ledger entry sealed",
    `  ${REPORT_ZIP_FILES.manifest}  per integration, the evidence files with SHA-256, size and storage key`,
    `  ${REPORT_ZIP_FILES.bundle}       the offline ledger proof: the campaign's entries, their inclusion`,
    "                          proofs, the signed checkpoint and its public key",
    "",
    "How to verify (offline: no database, no network)",
    "  1. With SyncLedger's command-line tools, on this file exactly as downloaded:",
    "       npm run ledger:verify-bundle -- this-report.zip --key tenant-public-key.pem",
    "     It checks the proof bundle against the signed checkpoint, that sync-context.json is the",
    "     Sync Context the ledger sealed, and that the evidence manifest (and any evidence files",
    "     under evidence/) match the sealed Sync Context by name and SHA-256. Exit code 0 means",
    "     verified, 1 that a problem was found (each is printed). Without --key the key inside",
    "     the bundle is used, which proves the bundle is self-consistent but not who signed it.",
    "  2. By hand: the SHA-256 of sync-context.json is the snapshot hash.",
    `       sha256sum sync-context.json   ->  ${data.snapshotHash}`,
    `     The checkpoint covers ${cp.treeSize} ledger entries, root ${cp.rootHash}, signed by key ${cp.keyId}.`,
    "  3. Compare downloaded evidence files against evidence-manifest.json (name and SHA-256).",
    "",
  ].join("\n");
}

/** The ZIP as a stream the caller pipes on; `pdf` starts laying out the PDF when the archive reaches it. */
export function reportZipStream(
  data: ReportData,
  decisions: () => AsyncIterable<CampaignItemRow[]>,
  pdf: () => AsyncIterable<Buffer>,
): Readable {
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const date = new Date(data.generatedAt);
  archive.append(readme(data), { name: "README.txt", date });
  archive.append(data.documentJson, { name: REPORT_ZIP_FILES.syncContext, date });
  archive.append(JSON.stringify(evidenceManifest(data), null, 2), { name: REPORT_ZIP_FILES.manifest, date });
  archive.append(JSON.stringify(data.bundle, null, 2), { name: REPORT_ZIP_FILES.bundle, date });
  archive.append(Readable.from(decisionsCsv(decisions())), { name: "decisions.csv", date });
  // The PDF's pages are deflated already; stored, they pass through as the PDF yields them.
  archive.append(Readable.from(pdf(), { objectMode: false }), { name: "report.pdf", date, store: true });
  void archive.finalize().catch((e) => archive.destroy(e instanceof Error ? e : new Error(String(e))));
  return archive;
}
