/**
 * GET /api/v1/syncs/{id}/evidence (scope evidence:read) — the sync's evidence
 * record with its files, each with a download link valid for 5 minutes
 * (issuing a link is audited as a download), and the ledger verification.
 */
import { withApiKey } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { evidenceDownloadLink, getEvidenceForSync } from "@/lib/evidence/service";
import { verifyEvidenceRecord } from "@/lib/ledger/service";

export const GET = withApiKey("evidence:read", async (ctx, req, params) => {
  const evidence = await getEvidenceForSync(ctx, String(params.id));
  if (!evidence) throw new AppError("not_found:evidence", "This sync has no evidence.");
  const origin = new URL(req.url).origin;
  const files = [];
  for (const f of evidence.files) {
    const link = await evidenceDownloadLink(ctx, f.id);
    files.push({ ...f, downloadUrl: new URL(link, origin).toString(), downloadUrlExpiresIn: 300 });
  }
  return { data: { ...evidence, files, ledger: await verifyEvidenceRecord(ctx, evidence.id) } };
});
