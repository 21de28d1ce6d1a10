/**
 * How a sync execution reads on screen: status badges, trigger and "started
 * by" labels, times, durations and the progress bar. Server-safe (no hooks),
 * shared by the Integrations list, Sync History and the sync detail page.
 */
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { PHASE_LABELS, estimateProgress, formatTimeLeft, isReadingPhase, ordinal, type ProgressPhase } from "@/lib/syncs/progress";
import { cn } from "@/lib/utils";
import { formatCount, formatDateTime } from "@/lib/format";
import {
  SYNC_STARTER_TYPE_LABELS,
  SYNC_STATUS_LABELS as STATUS_LABELS,
  SYNC_TRIGGER_LABELS,
  type SyncPhase,
  type SyncStatus,
} from "@/lib/domain/enums";
import { overdueLabel, type Overdue } from "@/lib/syncs/deadline";

export const SYNC_STATUS_LABELS: Record<string, string> = STATUS_LABELS;

const STATUS_VARIANTS: Record<SyncStatus, NonNullable<BadgeProps["variant"]>> = {
  queued: "secondary",
  syncing: "secondary",
  completed: "success",
  post_sync_completed: "success",
  error: "destructive",
  held: "warning",
  cancelled: "outline",
};

export const TRIGGER_LABELS: Record<string, string> = SYNC_TRIGGER_LABELS;
export const STARTED_BY_TYPE_LABELS: Record<string, string> = SYNC_STARTER_TYPE_LABELS;

/** A sync in one of these states is still moving: pages showing it refresh themselves. */
export function isRunning(status: string | null | undefined): boolean {
  return status === "queued" || status === "syncing";
}

/** Statuses a sync can still be cancelled in (a running one only until someone asked). */
export function isCancellable(sync: { status: string; cancelRequestedAt?: Date | string | null }): boolean {
  return sync.status === "queued" || sync.status === "held" || (sync.status === "syncing" && !sync.cancelRequestedAt);
}

/** `cancelling`: a running sync someone asked to cancel, until its worker has stopped it. */
export function SyncStatusBadge({ status, cancelling, className }: { status: string; cancelling?: boolean; className?: string }) {
  if (status === "syncing" && cancelling) {
    return (
      <Badge variant="warning" className={className}>
        Cancelling…
      </Badge>
    );
  }
  return (
    <Badge variant={STATUS_VARIANTS[status as SyncStatus] ?? "outline"} className={className}>
      {SYNC_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

/** Times are shown in UTC, as in the Audit Log, so that screenshots in evidence agree. */
export const formatTime = formatDateTime;

export function formatDuration(from: Date | null | undefined, to: Date | null | undefined): string {
  if (!from || !to) return "—";
  let seconds = Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours) return `${hours} h ${minutes} min`;
  if (minutes) return `${minutes} min ${seconds} s`;
  return `${seconds} s`;
}

const rate = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });

export type RunProgress = {
  processed: number;
  total: number | null;
  phase: string | null;
  startedAt: Date | string | null;
  heartbeatAt: Date | string | null;
};

/**
 * A running sync's progress in words: its phase; while it reads, the records
 * read against the total (with a bar) when the source told the total, the
 * rate, and the time left when it can be estimated.
 */
export function SyncProgress({ run, now = new Date(), className }: { run: RunProgress; now?: Date; className?: string }) {
  const reading = isReadingPhase(run.phase) || run.phase === null;
  const { percent, recordsPerSecond, secondsLeft } = estimateProgress(run, now);
  const phase = run.phase ? (PHASE_LABELS[run.phase as ProgressPhase] ?? run.phase) : "Starting";
  const known = percent !== null;
  return (
    <div className={cn("grid w-full min-w-32 gap-1 text-xs", className)} data-testid="sync-progress">
      <span className="font-medium">{phase}</span>
      {run.processed > 0 || known ? (
        <span className="tabular-nums text-muted-foreground">
          {reading
            ? `${formatCount(run.processed)}${known ? ` / ${formatCount(run.total!)}` : ""} records read`
            : `${formatCount(run.processed)} records read`}
        </span>
      ) : null}
      {reading && known ? (
        <div
          role="progressbar"
          aria-label="Sync progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-valuetext={`${percent} % read`}
          className="h-1.5 w-full overflow-hidden rounded-full bg-muted"
        >
          <div className="h-full rounded-full bg-primary transition-[width]" style={{ width: `${percent}%` }} />
        </div>
      ) : null}
      {reading && recordsPerSecond ? (
        <span className="tabular-nums text-muted-foreground">
          <span className="whitespace-nowrap">{rate.format(recordsPerSecond)} records/s</span>
          {secondsLeft !== null ? (
            <>
              {" · "}
              <span className="whitespace-nowrap">{formatTimeLeft(secondsLeft)} left</span>
            </>
          ) : null}
        </span>
      ) : null}
    </div>
  );
}

/**
 * A running sync past 80 % of its deadline: a badge and how long it has been
 * at it against which limit, before the deadline ends it `error`.
 */
export function OverdueNotice({ overdue, phase, className }: { overdue: Overdue; phase: string | null; className?: string }) {
  if (!overdue.overdue) return null;
  return (
    <div className={cn("grid justify-items-start gap-0.5 text-xs", className)} data-testid="sync-overdue">
      <Badge variant="warning">Overdue</Badge>
      <span className="text-muted-foreground">{overdueLabel(overdue, phase as SyncPhase | null)}</span>
    </div>
  );
}

/** A queued sync's place among the tenant's queued syncs, and what it waits for. */
export function QueuePlace({ queue, className }: { queue: { place: number; waitsForRun: boolean } | null; className?: string }) {
  if (!queue) return null;
  return (
    <div className={cn("grid gap-0.5 text-xs text-muted-foreground", className)}>
      <span>{queue.place === 1 ? "Next in the queue" : `${ordinal(queue.place)} in the queue`}</span>
      {queue.waitsForRun ? <span>Waits for the running sync of this integration</span> : null}
    </div>
  );
}
