/**
 * A batch's progress: a bar of its settled tasks and the count in each
 * status. Server-safe; the page re-renders it live while tasks run.
 */
import { Progress } from "@/components/ui/progress";
import { PROVISIONING_STATUSES, PROVISIONING_STATUS_LABELS, type ProvisioningStatus } from "@/lib/domain/enums";
import { formatCount } from "@/lib/format";

export function BatchProgress({ counts, done, total }: { counts: Record<ProvisioningStatus, number>; done: number; total: number }) {
  const percent = total ? Math.round((done / total) * 100) : 100;
  return (
    <div className="grid gap-3">
      <div className="flex items-baseline justify-between gap-3 text-sm">
        <span id="batch-progress-label" className="font-medium">
          {formatCount(done)} of {formatCount(total)} tasks settled
        </span>
        <span className="text-muted-foreground">{percent}%</span>
      </div>
      <Progress value={percent} aria-labelledby="batch-progress-label" />
      <dl className="flex flex-wrap gap-x-5 gap-y-1 text-sm">
        {PROVISIONING_STATUSES.filter((s) => counts[s] > 0).map((s) => (
          <div key={s} className="flex gap-1.5">
            <dt className="text-muted-foreground">{PROVISIONING_STATUS_LABELS[s]}</dt>
            <dd className="font-medium tabular-nums" data-status={s}>
              {formatCount(counts[s])}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
