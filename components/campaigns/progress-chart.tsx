/**
 * Decided and undecided items per reviewer or per integration, as horizontal
 * stacked bars (approved, revoked, undecided). Categories have long names, so
 * they read down the page rather than under narrow vertical bars as the
 * hourly BarChart's do. Server-safe.
 */
import { formatCount } from "@/lib/format";

export type ProgressRow = { key: string; name: string; total: number; approved: number; revoked: number };

export function ProgressChart({ title, rows, emptyText = "No items" }: { title: string; rows: ProgressRow[]; emptyText?: string }) {
  const top = Math.max(1, ...rows.map((r) => r.total));
  return (
    <figure className="grid min-w-0 content-start gap-3">
      <figcaption className="text-sm font-medium">{title}</figcaption>
      {rows.length === 0 ? (
        <p className="text-sm text-muted-foreground">{emptyText}</p>
      ) : (
        <ul className="grid gap-3" aria-label={title}>
          {rows.map((r) => {
            const decided = r.approved + r.revoked;
            const pct = (n: number) => `${(n / top) * 100}%`;
            return (
              <li key={r.key} className="grid gap-1">
                <div className="flex min-w-0 items-baseline justify-between gap-2 text-sm">
                  <span className="min-w-0 truncate" title={r.name}>
                    {r.name}
                  </span>
                  <span className="shrink-0 text-xs tabular-nums text-muted-foreground">
                    {formatCount(decided)} / {formatCount(r.total)} decided
                  </span>
                </div>
                <div
                  role="img"
                  aria-label={`${r.name}: ${formatCount(r.approved)} approved, ${formatCount(r.revoked)} revoked, ${formatCount(r.total - decided)} undecided`}
                  className="flex h-2.5 overflow-hidden rounded-full bg-muted"
                >
                  <div className="h-full bg-success" style={{ width: pct(r.approved) }} />
                  <div className="h-full bg-destructive" style={{ width: pct(r.revoked) }} />
                  <div className="h-full bg-primary/20" style={{ width: pct(r.total - decided) }} />
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </figure>
  );
}

export function ProgressLegend() {
  return (
    <div aria-hidden="true" className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground">
      <span className="flex items-center gap-1.5">
        <span className="size-2.5 rounded-full bg-success" /> Approved
      </span>
      <span className="flex items-center gap-1.5">
        <span className="size-2.5 rounded-full bg-destructive" /> Revoked
      </span>
      <span className="flex items-center gap-1.5">
        <span className="size-2.5 rounded-full bg-primary/20" /> Undecided
      </span>
    </div>
  );
}
