/**
 * Permission Expiry as a provisioning source: a grant carried out with an
 * expiry date gets its revoke queued once that date has passed. The workers
 * call this on every turn of their loop; the grants are claimed with SKIP
 * LOCKED and marked with their revoke in the same transaction, so however
 * many workers run, each expired grant is revoked once.
 */
import "server-only";
import type { Database } from "@/db/client";
import * as queries from "@/db/queries/remediation";
import { systemContext } from "@/lib/auth/context";
import { enqueueTasks, type TaskInput, usernameOf } from "./internal";
import type { TaskParameters } from "./schemas";

/** Grants handled per transaction; the rest wait for the next turn of the loop. */
const BATCH = 500;

/** The name the revokes are queued under (their initiator). */
export const EXPIRY_INITIATOR = "Permission expiry";

/** Queues the revoke of every expired grant not yet revoked. Returns how many were queued. */
export async function queueExpiredGrants(db: Database): Promise<number> {
  return db.transaction(async (tx) => {
    const grants = await queries.lockExpiredGrants(tx, BATCH);
    if (grants.length === 0) return 0;
    const byTenant = new Map<string, queries.ExpiredGrantRow[]>();
    for (const g of grants) {
      const tenantGrants = byTenant.get(g.tenantId);
      if (tenantGrants) tenantGrants.push(g);
      else byTenant.set(g.tenantId, [g]);
    }
    const pairs: { grantId: string; taskId: string }[] = [];
    for (const [tenantId, tenantGrants] of byTenant) {
      const inputs: TaskInput[] = tenantGrants.map((g) => ({
        integrationId: g.integrationId,
        action: "revoke",
        account: { username: usernameOf(g), externalId: g.accountExternalId },
        // The group the grant gave, as the grant named it.
        parameters: { group: (g.parameters as TaskParameters).group },
        source: "permission_expiry",
        sourceRef: { type: "task", id: g.id },
      }));
      const ids = [...(await enqueueTasks(tx, systemContext(tenantId, EXPIRY_INITIATOR), inputs))].sort((a, b) => a.seq - b.seq);
      for (const [i, g] of tenantGrants.entries()) pairs.push({ grantId: g.id, taskId: ids[i].id });
    }
    await queries.setExpiryTasks(tx, pairs);
    return pairs.length;
  });
}
