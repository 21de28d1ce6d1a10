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
import { enqueueTasks, type TaskInput } from "./internal";

/** Grants handled per transaction; the rest wait for the next turn of the loop. */
const BATCH = 500;

/** The name the revokes are queued under (their initiator). */
export const EXPIRY_INITIATOR = "Permission expiry";

/**
 * The account's username as the grant was given: the list name starts with it
 * ("Alice → Engineering"); the object key is its lower-cased form.
 */
function usernameOf(grant: queries.ExpiredGrantRow): string {
  const head = grant.objectName.slice(0, grant.objectKey.length);
  return head.toLowerCase() === grant.objectKey ? head : grant.objectKey;
}

/** Queues the revoke of every expired grant not yet revoked. Returns how many were queued. */
export async function queueExpiredGrants(db: Database): Promise<number> {
  return db.transaction(async (tx) => {
    const grants = await queries.lockExpiredGrants(tx, BATCH);
    if (grants.length === 0) return 0;
    const byTenant = new Map<string, queries.ExpiredGrantRow[]>();
    for (const g of grants) byTenant.set(g.tenantId, [...(byTenant.get(g.tenantId) ?? []), g]);
    const pairs: { grantId: string; taskId: string }[] = [];
    for (const [tenantId, tenantGrants] of byTenant) {
      const inputs: TaskInput[] = tenantGrants.map((g) => ({
        integrationId: g.integrationId,
        action: "revoke",
        account: { username: usernameOf(g), externalId: g.accountExternalId },
        parameters: { group: { externalId: g.groupExternalId ?? "", name: g.groupName } },
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
