/**
 * The ledger records of provisioning: a finished task (success, failed,
 * no_callback) and a confirmation. Built only from columns that never change
 * once the task finished or was confirmed (the outcome, not the status, which
 * a later confirm or retry moves on), so verify can rebuild them from the
 * live rows and name any row edited since.
 */
import { createHash } from "node:crypto";
import "server-only";
import type { Executor } from "@/db/client";
import { tasksByIds, type ProvisioningTaskRow } from "@/db/queries/provisioning";
import { canonicalJson } from "@/lib/crypto/canonical-json";

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** SHA-256 of a value's canonical JSON: the request and response hashes a task's ledger entry carries. */
export function hashOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

export function taskRecord(t: ProvisioningTaskRow): Record<string, unknown> {
  return {
    v: 1,
    id: t.id,
    tenantId: t.tenantId,
    integrationId: t.integrationId,
    objectType: t.objectType,
    action: t.action,
    objectKey: t.objectKey,
    objectName: t.objectName,
    accountExternalId: t.accountExternalId,
    groupExternalId: t.groupExternalId,
    source: t.source,
    sourceRef: t.sourceRefType ? { type: t.sourceRefType, id: t.sourceRefId } : null,
    initiator: { type: t.initiatorType, id: t.initiatorId, name: t.initiatorName },
    retryOfId: t.retryOfId,
    batchId: t.batchId,
    outcome: t.outcome,
    attempts: t.attempts,
    message: t.message,
    requestHash: t.requestHash,
    responseHash: t.responseHash,
    createdAt: iso(t.createdAt),
    startedAt: iso(t.startedAt),
    endedAt: iso(t.endedAt),
  };
}

export function confirmationRecord(t: ProvisioningTaskRow): Record<string, unknown> {
  return {
    v: 1,
    taskId: t.id,
    tenantId: t.tenantId,
    integrationId: t.integrationId,
    objectName: t.objectName,
    action: t.action,
    /** What the task had ended with before the confirm: null for a manual task, which only a person finishes. */
    outcome: t.outcome,
    requestHash: t.requestHash,
    responseHash: t.responseHash,
    confirmedBy: { id: t.confirmedById, name: t.confirmedByName },
    confirmedAt: iso(t.confirmedAt),
    reason: t.confirmReason,
    evidence: t.confirmEvidence ?? [],
  };
}

/** Rebuilds the records of some tasks from the live rows, for verify; tasks that never finished have none. */
export async function loadTaskRecords(db: Executor, tenantId: string, ids: string[], kind: "task" | "confirmation") {
  const out = new Map<string, Record<string, unknown>>();
  for (const row of await tasksByIds(db, tenantId, ids)) {
    if (kind === "task" && row.outcome) out.set(row.id, taskRecord(row));
    if (kind === "confirmation" && row.confirmedAt) out.set(row.id, confirmationRecord(row));
  }
  return out;
}
