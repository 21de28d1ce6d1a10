/** GET /api/evidence/{id}/proof — the offline proof bundle of one evidence record, as a JSON attachment. */
import { withSession } from "@/lib/api/handler";
import { attachmentResponse } from "@/lib/http/attachment";
import { evidenceProofBundle } from "@/lib/ledger/service";

export const runtime = "nodejs";

export const GET = withSession("evidence:read", async (ctx, _req, params) => {
  const bundle = await evidenceProofBundle(ctx, String(params.id));
  const body = new Blob([JSON.stringify(bundle, null, 2)]).stream();
  return attachmentResponse({ filename: `proof-${String(params.id).slice(0, 8)}.json`, contentType: "application/json", body });
});
