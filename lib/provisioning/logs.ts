/**
 * What the Synchronization Logs page reads beside the task list: the
 * integrations to filter by and whether provisioning is on anywhere, and the
 * page's date inputs turned into the service's time range.
 */
import "server-only";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/provisioning";
import { authorize, type ServiceContext } from "@/lib/auth/context";

/** Every integration of the tenant, with whether its provisioning is switched on. */
export async function listLogIntegrations(ctx: ServiceContext) {
  authorize(ctx, "provisioning:read");
  const rows = await queries.listProvisioningIntegrations(getDb(), ctx.tenantId);
  return rows.map((r) => ({ id: r.id, name: r.name, enabled: r.enabled ?? false, mode: r.mode }));
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A date picked on the page (YYYY-MM-DD, UTC) as the instant the filter means:
 * the start of the day for "from", its last millisecond for "to". Anything
 * else goes to the service as typed, which refuses what is not a date-time.
 */
export function dayBound(value: string | undefined, edge: "from" | "to"): string | undefined {
  if (!value) return undefined;
  if (!DATE_ONLY.test(value)) return value;
  return edge === "from" ? `${value}T00:00:00.000Z` : `${value}T23:59:59.999Z`;
}

/** One row of the list as the page renders it. */
export type TaskListRow = queries.TaskListRow;
