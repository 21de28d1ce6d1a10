/**
 * The Audit Report as a PDF an auditor can hand on: overview and totals, the
 * ledger proof with its verification at generation time, the Sync Context per
 * integration, then every decision. The file is yielded as it is laid out, a
 * page or a batch of decisions at a time, and the next batch is read only once
 * the consumer has taken the last: a slow download holds back the layout
 * instead of buffering the file.
 */
import "server-only";
import type { CampaignItemRow } from "@/db/queries/campaigns";
import { CAMPAIGN_STATUS_LABELS, OBJECT_TYPE_LABELS, REVIEW_DECISION_LABELS, SYNC_STATUS_LABELS } from "@/lib/domain/enums";
import { notesPlainText, type NotesDocument } from "@/lib/evidence/notes";
import { formatBytes, formatCount, formatDate, formatDateTime, plural } from "@/lib/format";
import { filterInWords, type ReportData, reviewerOf } from "./data";
import { PdfWriter } from "./pdf-writer";

const when = (v: Date | string | null | undefined) => (v ? `${formatDateTime(v)} UTC` : "—");

export async function* renderReportPdf(data: ReportData, decisions: AsyncIterable<CampaignItemRow[]>): AsyncGenerator<Buffer> {
  const { campaign: c, contexts } = data;
  const pdf = await PdfWriter.create({
    title: `Audit Report: ${c.name}`,
    subject: `Access review campaign ${c.id}`,
    author: data.generatedBy,
    footer: `${c.name} · Audit Report · generated ${when(data.generatedAt)}`,
  });
  const written = function* () {
    const bytes = pdf.take();
    if (bytes) yield bytes;
  };

  pdf.title("Access Review Audit Report", c.name);
  pdf.heading("Overview");
  const ended = c.status === "completed" ? "Completed at" : c.status === "cancelled" ? "Cancelled at" : "Completed at";
  pdf.fields([
    ["Campaign", c.name],
    ["Description", c.description ?? ""],
    ["Status", CAMPAIGN_STATUS_LABELS[c.status]],
    ["Due date", formatDate(c.dueDate)],
    ["Created by", c.createdByName],
    ["Created at", when(c.createdAt)],
    ["Started at", when(c.startedAt)],
    [ended, c.endedAt ? `${when(c.endedAt)}${c.endedByName ? ` by ${c.endedByName}` : ""}` : "Not yet"],
    ["Reviewers", c.reviewerMode === "owners" ? "Each integration's owner" : plural(c.reviewerIds.length, "chosen member")],
    ["Campaign id", c.id],
    ["Report generated", `${when(data.generatedAt)} by ${data.generatedBy}`],
  ]);

  pdf.subheading("Filter criteria");
  pdf.fields(filterInWords(c.filter, new Map(contexts.map((x) => [x.integrationId, x.integrationName]))));

  pdf.subheading("Totals");
  const t = data.totals;
  pdf.paragraph(
    `${formatCount(t.total)} review items: ${formatCount(t.approved)} approved, ${formatCount(t.revoked)} revoked, ${formatCount(t.undecided)} undecided.`,
    10,
    "bold",
  );
  const totals = pdf.table([
    { title: "Integration", width: 300 },
    { title: "Items", width: 90 },
    { title: "Approved", width: 90 },
    { title: "Revoked", width: 90 },
    { title: "Undecided", width: 90 },
  ]);
  for (const i of data.byIntegration)
    totals.row([i.name, formatCount(i.total), formatCount(i.approved), formatCount(i.revoked), formatCount(i.undecided)]);
  totals.row(["All integrations", formatCount(t.total), formatCount(t.approved), formatCount(t.revoked), formatCount(t.undecided)]);
  totals.end();

  pdf.heading("Ledger proof");
  const v = data.verification;
  const cp = data.bundle.checkpoint;
  const entryRows: [string, string][] = data.bundle.entries.map((e) => [
    e.kind === "campaign" ? "Sync Context entry" : "Completion entry",
    `seq ${e.seq}, hash ${e.hash}`,
  ]);
  pdf.fields(
    [
      ...entryRows,
      ["Snapshot hash", `${data.snapshotHash} (SHA-256 of the Sync Context's canonical JSON, sync-context.json in the ZIP)`],
      ["Checkpoint tree size", formatCount(cp.treeSize)],
      ["Checkpoint root hash", cp.rootHash],
      ["Signing key id", cp.keyId],
      ["Checkpoint signed at", when(cp.createdAt)],
    ],
    150,
  );
  if (v.ok) {
    pdf.paragraph(
      `Verification: OK, verified at generation. ${plural(v.checked, "ledger entry", "ledger entries")} included in the signed checkpoint of tree size ${formatCount(cp.treeSize)}; the signature verifies with key ${cp.keyId}; the Sync Context in this report is the one the ledger sealed.`,
      9.5,
      "bold",
    );
  } else {
    pdf.paragraph(`Verification: FAILED, ${plural(v.problems.length, "problem")} found at generation:`, 9.5, "bold");
    for (const p of v.problems) pdf.paragraph(`- ${p.reason}`);
  }
  pdf.paragraph(
    "To check this offline, download the ZIP format of this report and run: npm run ledger:verify-bundle -- report.zip --key <the tenant's public key>.",
    8.5,
  );

  pdf.heading("Sync Context at campaign creation");
  for (const x of contexts) {
    pdf.subheading(x.integrationName);
    pdf.fields([
      ["Connector", x.connector.toUpperCase()],
      ["Sync status at creation", SYNC_STATUS_LABELS[x.syncStatus] ?? x.syncStatus],
      ["Sync started", when(x.syncStartedAt)],
      ["Sync ended", when(x.syncEndedAt)],
      ["Status message", x.syncMessage ?? ""],
      ["Sync id", x.syncExecutionId],
      ["Review items", formatCount(x.itemCount)],
      [
        "State at creation",
        Object.entries(x.stateCounts as Record<string, number>)
          .map(([type, n]) => plural(n, type))
          .join(", "),
      ],
      ["Evidence", x.evidenceId ? `Recorded by ${x.evidenceCreatedByName ?? "—"} at ${when(x.evidenceCreatedAt)}` : "No evidence attached"],
    ]);
    if (x.evidenceNotes) {
      pdf.paragraph("Evidence notes:", 9, "bold");
      pdf.paragraph(notesPlainText(x.evidenceNotes as unknown as NotesDocument) || "(empty)");
    }
    if (x.evidenceFiles.length) {
      const files = pdf.table([
        { title: "Evidence file", width: 260 },
        { title: "Size", width: 70 },
        { title: "SHA-256", width: 430, font: "mono" },
      ]);
      for (const f of x.evidenceFiles) files.row([f.name, formatBytes(f.size), f.sha256]);
      files.end();
    }
  }

  yield* written();

  pdf.heading(`Decisions (${formatCount(t.total)})`);
  const table = pdf.table([
    { title: "Account / display name", width: 140 },
    { title: "Group / entitlement", width: 120 },
    { title: "Integration", width: 95 },
    { title: "Decision", width: 52 },
    { title: "Reviewer", width: 110 },
    { title: "Decided at (UTC)", width: 78 },
    { title: "Comment", width: 165 },
  ]);
  for await (const batch of decisions) {
    for (const d of batch) {
      const name = d.accountName ?? (d.objectType === "account" ? d.externalId : null);
      const account = name && d.displayName && d.displayName !== name ? `${name} (${d.displayName})` : (name ?? d.displayName ?? "");
      const target = d.targetName ?? d.targetExternalId ?? "";
      table.row([
        account || `(${OBJECT_TYPE_LABELS[d.objectType].toLowerCase()})`,
        target && d.targetName && d.targetExternalId && d.targetName !== d.targetExternalId ? `${target} (${d.targetExternalId})` : target,
        d.integrationName,
        d.decision ? REVIEW_DECISION_LABELS[d.decision] : "Undecided",
        reviewerOf(d),
        d.decidedAt ? d.decidedAt.slice(0, 16).replace("T", " ") : "",
        d.comment ?? "",
      ]);
    }
    yield* written();
  }
  table.end();

  yield pdf.end();
}
