/**
 * Generate Audit Report: a campaign's report as a PDF or as a ZIP (decisions
 * CSV, Sync Context JSON, evidence manifest, proof bundle, PDF). Needs
 * campaigns:write — admins and auditors, or an API key with that scope; a
 * key with only campaigns:read cannot, since the report carries every
 * decision and comment of every reviewer. Each generation is an audit event.
 */
import "server-only";
import { Readable } from "node:stream";
import { z } from "zod";
import { getDb } from "@/db/client";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { plural } from "@/lib/format";
import { isUuid, parseInput } from "@/lib/validation";
import { decisionBatches, loadReportData, PDF_DECISION_BATCH, type ReportData } from "./data";
import { renderReportPdf } from "./pdf";
import { reportZipStream } from "./zip";

export const REPORT_FORMATS = ["pdf", "zip"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const reportRequestSchema = z.object({
  format: z.enum(REPORT_FORMATS, "must be pdf or zip").default("pdf"),
});

export type CampaignReport = { filename: string; contentType: string; body: ReadableStream<Uint8Array> };

function fileStem(data: ReportData): string {
  const slug =
    data.campaign.name
      .normalize("NFKD")
      .replace(/[^\w\s-]/g, "")
      .trim()
      .replace(/\s+/g, "-")
      .toLowerCase()
      .slice(0, 60) || "campaign";
  return `audit-report-${slug}-${data.generatedAt.slice(0, 10)}`;
}

const integrationNames = (data: ReportData) => new Map(data.contexts.map((c) => [c.integrationId, c.integrationName]));

/** The PDF alone, as it is laid out (the decisions are read in keyset batches as the consumer pulls). */
export function campaignReportPdf(ctx: ServiceContext, data: ReportData): AsyncGenerator<Buffer> {
  return renderReportPdf(data, decisionBatches(ctx.tenantId, data.campaign.id, integrationNames(data), PDF_DECISION_BATCH));
}

/**
 * The report, ready to stream. The data the report states (and its ledger
 * verification) is gathered and the generation audited before the first
 * byte, so a caller without permission or a missing campaign gets an error
 * status, not a broken file.
 */
export async function generateCampaignReport(ctx: ServiceContext, campaignId: string, input: unknown): Promise<CampaignReport> {
  authorize(ctx, "campaigns:write");
  const { format } = parseInput(reportRequestSchema, input);
  if (!isUuid(campaignId)) throw new AppError("not_found:campaign", "No such campaign.");
  const data = await loadReportData(ctx, campaignId);
  const v = data.verification;
  await recordAuditEvent(getDb(), ctx, {
    entityType: "Campaign",
    action: "GenerateReport",
    entityId: campaignId,
    entityName: data.campaign.name,
    details:
      `Generated the Audit Report (${format.toUpperCase()}) of campaign "${data.campaign.name}" with ${plural(data.totals.total, "review item")}; ` +
      `ledger checkpoint of tree size ${data.bundle.checkpoint.treeSize}: ${v.ok ? "verified" : `verification failed (${v.problems[0]?.reason})`}`,
  });
  const stem = fileStem(data);
  if (format === "pdf") {
    const pdf = Readable.from(campaignReportPdf(ctx, data), { objectMode: false });
    return { filename: `${stem}.pdf`, contentType: "application/pdf", body: Readable.toWeb(pdf) as ReadableStream<Uint8Array> };
  }
  const zip = reportZipStream(
    data,
    () => decisionBatches(ctx.tenantId, campaignId, integrationNames(data)),
    () => campaignReportPdf(ctx, data),
  );
  return { filename: `${stem}.zip`, contentType: "application/zip", body: Readable.toWeb(zip) as ReadableStream<Uint8Array> };
}
