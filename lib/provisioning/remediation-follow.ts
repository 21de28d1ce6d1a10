/**
 * How a campaign item's remediation follows the revoke task that carries it
 * out. A leaf of the task engine: it only reads and writes campaign items, so
 * the engine calls it directly in the transaction that moves a task.
 */
import "server-only";
import type { Executor } from "@/db/client";
import type { ProvisioningTaskRow } from "@/db/queries/provisioning";
import * as queries from "@/db/queries/remediation";
import type { RemediationStatus } from "@/lib/domain/enums";

/** What happened to a task, as the items it carries out hear it. */
export type TaskEvent = "success" | "failed" | "no_callback" | "confirmed" | "cancelled" | "superseded";

/** What a task's event means for the items it carries out. */
const REMEDIATION_OF: Record<Exclude<TaskEvent, "superseded">, RemediationStatus> = {
  success: "remediated",
  confirmed: "remediated",
  failed: "failed",
  no_callback: "failed",
  // Nothing was done: the revoke is still to be carried out.
  cancelled: "pending",
};

/**
 * The items follow their task, in the transaction that moves it: a finish
 * (success, failed, no_callback), a confirmation, a cancel, and a Retry After
 * Modification (the original is superseded and the new task, whose source
 * reference names it, takes its items over). Called by the
 * task engine (lib/provisioning/internal.ts) wherever a task moves.
 */
export async function afterTaskTransition(tx: Executor, task: Pick<ProvisioningTaskRow, "id" | "tenantId">, event: TaskEvent) {
  if (event === "superseded") {
    const retry = await queries.retryOf(tx, task.tenantId, task.id);
    if (retry) await queries.moveRemediationTask(tx, task.tenantId, task.id, retry);
    return;
  }
  await queries.setRemediationOfTask(tx, task.tenantId, task.id, REMEDIATION_OF[event]);
}

/** afterTaskTransition for a lane's batch of finished tasks: one statement per tenant and outcome. */
export async function afterTasksFinished(
  tx: Executor,
  tasks: { task: Pick<ProvisioningTaskRow, "id" | "tenantId">; event: Exclude<TaskEvent, "superseded"> }[],
) {
  const groups = new Map<string, { tenantId: string; status: RemediationStatus; ids: string[] }>();
  for (const { task, event } of tasks) {
    const status = REMEDIATION_OF[event];
    const key = `${task.tenantId}:${status}`;
    const group = groups.get(key) ?? { tenantId: task.tenantId, status, ids: [] };
    group.ids.push(task.id);
    groups.set(key, group);
  }
  for (const g of groups.values()) await queries.setRemediationOfTasks(tx, g.tenantId, g.ids, g.status);
}
