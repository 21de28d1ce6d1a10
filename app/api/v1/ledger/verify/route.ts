/**
 * GET /api/v1/ledger/verify (scope ledger:read) — verifies the tenant's ledger; the first problem comes first.
 * POST /api/v1/ledger/verify with `{ "trust": "<trust file text>" }` — the same, trusting only the pinned log
 * key and witnesses of the trust file (npm run ledger:trust).
 */
import { readJson, withApiKey } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { verifyLedger } from "@/lib/ledger/service";

export const runtime = "nodejs";

export const GET = withApiKey("ledger:read", async (ctx) => ({ data: await verifyLedger(ctx) }));

export const POST = withApiKey("ledger:read", async (ctx, req) => {
  const body = await readJson(req);
  if (body === null || typeof body !== "object" || typeof (body as { trust?: unknown }).trust !== "string") {
    throw new AppError("bad_request:trust_file", 'Send { "trust": "<the text of your trust file>" } (npm run ledger:trust prints it).', {
      trust: ["required: the trust file's text"],
    });
  }
  return { data: await verifyLedger(ctx, { trust: (body as { trust: string }).trust }) };
});
