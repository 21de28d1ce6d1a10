/** POST /api/v1/provisioning/tasks/{id}/cancel — cancel a task that has not started (pending); audited. */
import { withApiKey } from "@/lib/api/handler";
import { cancelTask, getTask } from "@/lib/provisioning/service";

export const POST = withApiKey("provisioning:write", async (ctx, _req, params) => {
  const id = String(params.id);
  await cancelTask(ctx, id);
  return { data: await getTask(ctx, id) };
});
