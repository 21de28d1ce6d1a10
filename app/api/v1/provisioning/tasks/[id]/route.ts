/** GET /api/v1/provisioning/tasks/{id} — one task: operation log, parameters, request, response, bindings. */
import { withApiKey } from "@/lib/api/handler";
import { getTask } from "@/lib/provisioning/service";

export const GET = withApiKey("provisioning:read", async (ctx, _req, params) => ({ data: await getTask(ctx, String(params.id)) }));
