/**
 * POST /api/v1/provisioning/tasks/{id}/confirm — the operation was done by
 * hand on the target: `reason` (required) and the ids of evidence files
 * uploaded first (`uploadIds`). The task counts as successful and the tasks
 * it held proceed; audited and sealed into the ledger.
 */
import { readJson, withApiKey } from "@/lib/api/handler";
import { confirmTask, getTask } from "@/lib/provisioning/service";

export const POST = withApiKey("provisioning:write", async (ctx, req, params) => {
  const id = String(params.id);
  await confirmTask(ctx, id, await readJson(req));
  return { data: await getTask(ctx, id) };
});
