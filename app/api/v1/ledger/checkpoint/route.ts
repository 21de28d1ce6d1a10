/**
 * GET /api/v1/ledger/checkpoint (scope ledger:read) — the latest checkpoint as a
 * C2SP signed note (text/plain), its verifier key in the Ledger-Verifier-Key
 * header; `?format=json` gives both, with the origin, size and root, as JSON.
 */
import { searchParamsObject, withApiKey } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { latestCheckpointNote } from "@/lib/ledger/service";

export const runtime = "nodejs";

export const GET = withApiKey("ledger:read", async (ctx, req) => {
  const { format } = searchParamsObject(req);
  if (format !== undefined && format !== "json" && format !== "note") {
    throw new AppError("bad_request:format", 'format is "note" (the default, text/plain) or "json".');
  }
  const cp = await latestCheckpointNote(ctx);
  if (format === "json") return { data: cp };
  return new Response(cp.note, {
    headers: { "Content-Type": "text/plain; charset=utf-8", "Ledger-Verifier-Key": cp.verifierKey, "Cache-Control": "no-store" },
  });
});
