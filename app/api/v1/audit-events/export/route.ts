/** GET /api/v1/audit-events/export?format=csv|jsonl — the filtered audit log, streamed (scope audit_log:export). */
import { searchParamsObject, withApiKey } from "@/lib/api/handler";
import { exportAuditEvents } from "@/lib/audit/service";
import { attachmentResponse } from "@/lib/http/attachment";

export const GET = withApiKey("audit_log:export", async (ctx, req) => {
  const { format, ...filters } = searchParamsObject(req);
  return attachmentResponse(await exportAuditEvents(ctx, { format, filters }));
});
