/** GET /api/v1/syncs/{id} — one sync execution with its counts and progress. */
import { withApiKey } from "@/lib/api/handler";
import { getSync } from "@/lib/syncs/service";

export const GET = withApiKey("syncs:read", async (ctx, _req, params) => ({ data: await getSync(ctx, String(params.id)) }));
