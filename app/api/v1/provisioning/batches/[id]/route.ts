/** GET /api/v1/provisioning/batches/{id} — a batch with its refused rows and its tasks' progress by status. */
import { withApiKey } from "@/lib/api/handler";
import { getBatch } from "@/lib/provisioning/batch";

export const GET = withApiKey("provisioning:read", async (ctx, _req, params) => ({ data: await getBatch(ctx, String(params.id)) }));
