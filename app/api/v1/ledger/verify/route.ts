/** GET /api/v1/ledger/verify (scope ledger:read) — verifies the tenant's ledger; the first problem comes first. */
import { withApiKey } from "@/lib/api/handler";
import { verifyLedger } from "@/lib/ledger/service";

export const runtime = "nodejs";

export const GET = withApiKey("ledger:read", async (ctx) => ({ data: await verifyLedger(ctx) }));
