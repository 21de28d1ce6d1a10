/**
 * GET /api/v1/campaigns/{id}/sync-context — the Sync Context frozen at creation
 * (logos are not inlined: each card says whether it has one), with whether each
 * integration has synced since and how its counts changed.
 */
import { withApiKey } from "@/lib/api/handler";
import { getSyncContext } from "@/lib/campaigns/service";

export const GET = withApiKey("campaigns:read", async (ctx, _req, params) => ({ data: await getSyncContext(ctx, String(params.id)) }));
