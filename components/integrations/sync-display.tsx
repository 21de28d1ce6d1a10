/**
 * How a sync execution reads on screen: status badges, trigger and "started
 * by" labels, times, durations and the progress bar. Server-safe (no hooks),
 * shared by the Integrations list, Sync History and the sync detail page.
 */
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { cn } from "@/lib/utils";

export const SYNC_STATUS_LABELS: Record<string, string> = {
  queued: "Queued",
  syncing: "Syncing",
  completed: "Completed",
  post_sync_completed: "Post-sync Completed",
  error: "Error",
  held: "Held",
};

const STATUS_VARIANTS: Record<string, NonNullable<BadgeProps["variant"]>> = {
  queued: "secondary",
  syncing: "secondary",
  completed: "success",
  post_sync_completed: "success",
  error: "destructive",
  held: "warning",
};

export const TRIGGER_LABELS: Record<string, string> = {
  config_saved: "Configuration saved",
  evidence_updated: "Evidence updated",
  manual: "Manual",
  schedule: "Schedule",
  api: "API",
};

export const STARTED_BY_TYPE_LABELS: Record<string, string> = {
  user: "User",
  api_key: "API key",
  schedule: "Schedule",
  system: "System",
};

/** A sync in one of these states is still moving: pages showing it refresh themselves. */
export function isRunning(status: string | null | undefined): boolean {
  return status === "queued" || status === "syncing";
}

export function SyncStatusBadge({ status, className }: { status: string; className?: string }) {
  return (
    <Badge variant={STATUS_VARIANTS[status] ?? "outline"} className={className}>
      {SYNC_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

const timeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

/** Times are shown in UTC, as in the Audit Log, so that screenshots in evidence agree. */
export function formatTime(d: Date | string | null | undefined): string {
  if (!d) return "—";
  const date = typeof d === "string" ? new Date(d) : d;
  return Number.isNaN(date.getTime()) ? "—" : timeFormat.format(date);
}

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

const number = new Intl.NumberFormat("en-GB");

/** `processed / total` records, with a bar when the source told the total. */
export function SyncProgress({
  processed,
  total,
  className,
}: {
  processed: number;
  total: number | null;
  className?: string;
}) {
  const known = total !== null && total > 0;
  const percent = known ? Math.min(100, Math.round((processed / total) * 100)) : 0;
  return (
    <div className={cn("grid min-w-32 gap-1", className)}>
      <span className="text-xs tabular-nums text-muted-foreground">
        {number.format(processed)} / {total === null ? "?" : number.format(total)} records
      </span>
      {known ? (
        <div
          role="progressbar"
          aria-label="Sync progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          className="h-1.5 w-full overflow-hidden rounded-full bg-muted"
        >
          <div className="h-full rounded-full bg-primary transition-[width]" style={{ width: `${percent}%` }} />
        </div>
      ) : null}
    </div>
  );
}
