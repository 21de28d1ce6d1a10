/**
 * GET /api/v1/ledger/proof?seq=N | ?from=M (scope ledger:read) — an RFC 9162
 * inclusion proof for entry N, or a consistency proof from tree size M, against
 * the latest checkpoint; hashes in base64.
 */
import { searchParamsObject, withApiKey } from "@/lib/api/handler";
import { ledgerProof } from "@/lib/ledger/service";

export const runtime = "nodejs";

export const GET = withApiKey("ledger:read", async (ctx, req) => ({ data: await ledgerProof(ctx, searchParamsObject(req)) }));
