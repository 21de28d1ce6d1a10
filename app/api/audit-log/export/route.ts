/** GET /api/audit-log/export?format=csv|jsonl&… — the filtered audit log for the signed-in user, streamed. */
import { searchParamsObject, withSession } from "@/lib/api/handler";
import { exportAuditEvents } from "@/lib/audit/service";
import { attachmentResponse } from "@/lib/http/attachment";

export const GET = withSession("audit_log:export", async (ctx, req) => {
  const { format, ...filters } = searchParamsObject(req);
  return attachmentResponse(await exportAuditEvents(ctx, { format, filters }));
});
