/** GET /api/v1/audit-events — the audit log, filtered and keyset-paginated (scope audit_log:read). */
import { searchParamsObject, withApiKey } from "@/lib/api/handler";
import { listAuditEvents } from "@/lib/audit/service";

export const GET = withApiKey("audit_log:read", async (ctx, req) => {
  const { events, nextCursor } = await listAuditEvents(ctx, searchParamsObject(req));
  return { data: events, nextCursor };
});
