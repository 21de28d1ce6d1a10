/** Pipeline Health: queue depth, running syncs, throughput and errors over the last 24 hours. */
import "server-only";
import { getDb } from "@/db/client";
import * as healthQueries from "@/db/queries/pipeline-health";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { overdueOf } from "./deadline";

export type { HourBucket } from "@/db/queries/pipeline-health";

export async function getPipelineHealth(ctx: ServiceContext) {
  authorize(ctx, "syncs:read");
  const db = getDb();
  const tenantId = ctx.tenantId;
  const queue = await healthQueries.queueCounts(db, tenantId);
  const running = (await healthQueries.runningSyncs(db, tenantId)).map(({ dbNow, ...r }) => ({
    ...r,
    overdue: overdueOf({ ...r, status: "syncing" }, dbNow),
  }));
  const hours = await healthQueries.hourlyOutcomes(db, tenantId);
  const integrations = await healthQueries.integrationHealth(db, tenantId);
  const finished = hours.reduce((a, h) => a + h.completed + h.failed, 0);
  const failed = hours.reduce((a, h) => a + h.failed, 0);
  const records = hours.reduce((a, h) => a + h.records, 0);
  const seconds = hours.reduce((a, h) => a + h.seconds, 0);
  return {
    queue,
    running,
    hours,
    totals: {
      syncs24h: finished,
      errorRate: finished ? failed / finished : 0,
      recordsPerSecond: seconds > 0 ? records / seconds : 0,
    },
    integrations,
  };
}
