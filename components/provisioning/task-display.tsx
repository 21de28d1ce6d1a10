/**
 * How a provisioning task reads on screen: its status badge, labels, and how
 * long it took. Server-safe; shared by the Synchronization Logs list and panels.
 */
import { Badge, type BadgeProps } from "@/components/ui/badge";
import {
  PROVISIONING_RESOLVABLE_STATUSES,
  PROVISIONING_STATUS_LABELS,
  type ProvisioningAction,
  type ProvisioningObjectType,
  type ProvisioningStatus,
} from "@/lib/domain/enums";

const STATUS_VARIANTS: Record<ProvisioningStatus, NonNullable<BadgeProps["variant"]>> = {
  pending: "secondary",
  running: "secondary",
  success: "success",
  failed: "destructive",
  no_callback: "warning",
  confirmed: "success",
  cancelled: "outline",
  superseded: "outline",
};

export function TaskStatusBadge({ status, className }: { status: ProvisioningStatus; className?: string }) {
  return (
    <Badge variant={STATUS_VARIANTS[status] ?? "outline"} className={className}>
      {PROVISIONING_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

/** Still moving: a list showing it keeps itself current. */
export function isLive(status: ProvisioningStatus): boolean {
  return status === "pending" || status === "running";
}

/** Confirm applies to a failed or no-callback task, and to a manual task waiting for someone to do it. */
export function canConfirm(status: ProvisioningStatus, manual: boolean): boolean {
  return (PROVISIONING_RESOLVABLE_STATUSES as readonly string[]).includes(status) || (status === "running" && manual);
}

export function canRetry(status: ProvisioningStatus): boolean {
  return (PROVISIONING_RESOLVABLE_STATUSES as readonly string[]).includes(status);
}

/** View Details: the binding and unbinding of a successful account create or update. */
export function hasBindingDetails(task: { objectType: ProvisioningObjectType; action: ProvisioningAction; status: ProvisioningStatus }) {
  return task.objectType === "account" && (task.action === "create" || task.action === "update") && task.status === "success";
}

/** "850 ms", "12.4 s", "3 min 05 s", "2 h 10 min"; null when the task has not both started and ended. */
export function formatDuration(startedAt: Date | string | null, endedAt: Date | string | null): string | null {
  if (!startedAt || !endedAt) return null;
  const ms = new Date(endedAt).getTime() - new Date(startedAt).getTime();
  if (!Number.isFinite(ms) || ms < 0) return null;
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
