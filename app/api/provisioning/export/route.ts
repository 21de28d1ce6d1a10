/**
 * GET /api/provisioning/export?format=csv|jsonl&… — the Synchronization Logs
 * with the page's filters (dates as the page sends them) for the signed-in
 * user (provisioning:read), streamed; each export is audited.
 */
import { searchParamsObject, withSession } from "@/lib/api/handler";
import { attachmentResponse } from "@/lib/http/attachment";
import { exportTasks } from "@/lib/provisioning/export";
import { dayBound } from "@/lib/provisioning/logs";

export const GET = withSession("provisioning:read", async (ctx, req) => {
  const { format, from, to, after: _after, ...filters } = searchParamsObject(req);
  const file = await exportTasks(ctx, { format, filters: { ...filters, from: dayBound(from, "from"), to: dayBound(to, "to") } });
  return attachmentResponse(file);
});
