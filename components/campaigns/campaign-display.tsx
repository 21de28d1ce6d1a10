/**
 * How a campaign's status, due date and progress read on every campaign page.
 * Server-safe.
 */
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { Progress } from "@/components/ui/progress";
import { CAMPAIGN_STATUS_LABELS, type CampaignStatus } from "@/lib/domain/enums";
import { formatCount, formatDate } from "@/lib/format";
import { cn } from "@/lib/utils";

const STATUS_VARIANTS: Record<CampaignStatus, NonNullable<BadgeProps["variant"]>> = {
  draft: "outline",
  active: "default",
  completed: "success",
  cancelled: "secondary",
};

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  return <Badge variant={STATUS_VARIANTS[status] ?? "outline"}>{CAMPAIGN_STATUS_LABELS[status] ?? status}</Badge>;
}

/** A due date is overdue once its day has passed (UTC) and the campaign is still open. */
export function isOverdue(dueDate: string, status: CampaignStatus, today = new Date().toISOString().slice(0, 10)): boolean {
  return (status === "active" || status === "draft") && dueDate < today;
}

export function DueDate({ dueDate, status }: { dueDate: string; status: CampaignStatus }) {
  const overdue = isOverdue(dueDate, status);
  return (
    <span className={cn("whitespace-nowrap", overdue && "font-medium text-destructive")}>
      {formatDate(`${dueDate}T00:00:00Z`)}
      {overdue ? <span className="ml-1 text-xs">(overdue)</span> : null}
    </span>
  );
}

/** "12 / 40 decided" with a bar, named for screen readers. */
export function DecidedBar({ decided, total, label, className }: { decided: number; total: number; label: string; className?: string }) {
  const pct = total ? Math.round((decided / total) * 100) : 0;
  return (
    <div className={cn("grid min-w-28 gap-1", className)}>
      <span className="text-xs tabular-nums text-muted-foreground">
        {formatCount(decided)} / {formatCount(total)} decided
      </span>
      <Progress
        value={pct}
        aria-label={label}
        aria-valuetext={`${formatCount(decided)} of ${formatCount(total)} decided (${pct}%)`}
        className="h-1.5 bg-primary/15"
      />
    </div>
  );
}
