/**
 * POST /api/v1/syncs/{id}/cancel — cancel a queued, held or running sync. A
 * sync that had not run is cancelled at once (200); a running one is asked to
 * stop and ends `cancelled` within seconds (202: poll GET /syncs/{id}).
 */
import { NextResponse } from "next/server";
import { withApiKey } from "@/lib/api/handler";
import { cancelSync } from "@/lib/syncs/service";

export const POST = withApiKey("syncs:run", async (ctx, _req, params) => {
  const sync = await cancelSync(ctx, String(params.id));
  return NextResponse.json({ data: sync }, { status: sync.status === "cancelled" ? 200 : 202 });
});
