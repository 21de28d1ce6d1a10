/** GET /api/v1/audit-events/{id} — one audit event with its field-level changes. */
import { withApiKey } from "@/lib/api/handler";
import { getAuditEvent } from "@/lib/audit/service";

export const GET = withApiKey("audit_log:read", async (ctx, _req, params) => ({
  data: await getAuditEvent(ctx, String(params.id)),
}));
