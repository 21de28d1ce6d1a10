/**
 * A small accessible bar chart for hourly series, with a value axis (0, half,
 * top) and time labels every few bars; says "No data" rather than drawing an
 * empty frame when every value is zero. Server-safe.
 */
import { formatCount } from "@/lib/format";

/** The smallest 1, 2 or 5 × 10ⁿ at or above `n`, so the axis reads in round numbers. */
function niceCeiling(n: number): number {
  if (n <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

export function BarChart({
  title,
  data,
  format = formatCount,
  unit,
  tone = "primary",
  emptyText = "No data",
  labelEvery = 6,
}: {
  title: string;
  data: { label: string; value: number }[];
  format?: (v: number) => string;
  /** What the values count, shown beside the axis ("syncs"). */
  unit?: string;
  tone?: "primary" | "destructive";
  emptyText?: string;
  /** Every how many bars a time label is shown. */
  labelEvery?: number;
}) {
  const empty = data.every((d) => d.value === 0);
  const top = niceCeiling(Math.max(0, ...data.map((d) => d.value)));
  const w = 100 / Math.max(1, data.length);
  // A half-way mark only when it is a whole number: "0.5 syncs" reads wrong.
  const ticks = top % 2 === 0 ? [top, top / 2, 0] : [top, 0];
  return (
    <figure className="grid min-w-0 gap-2">
      <figcaption className="flex flex-wrap items-baseline justify-between gap-x-2 text-sm font-medium">
        <span>{title}</span>
        {unit ? <span className="text-xs font-normal text-muted-foreground">{unit}</span> : null}
      </figcaption>
      <div className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-2">
        <div aria-hidden="true" className="flex h-32 flex-col justify-between text-right text-[11px] tabular-nums text-muted-foreground">
          {ticks.map((t, i) => (
            <span key={i} className="-my-1.5 leading-3">
              {empty && t !== 0 ? "" : format(t)}
            </span>
          ))}
        </div>
        <div className="relative h-32 border-b border-l border-border">
          <div aria-hidden="true" className="absolute inset-x-0 top-0 border-t border-dashed border-border/70" />
          {ticks.length === 3 ? (
            <div aria-hidden="true" className="absolute inset-x-0 top-1/2 border-t border-dashed border-border/70" />
          ) : null}
          {empty ? (
            <p className="absolute inset-0 flex items-center justify-center px-3 text-center text-sm text-muted-foreground">{emptyText}</p>
          ) : (
            <svg viewBox="0 0 100 100" preserveAspectRatio="none" role="img" aria-label={title} className="absolute inset-0 size-full">
              {data.map((d, i) => {
                const h = (d.value / top) * 100;
                return (
                  <rect
                    key={d.label}
                    x={i * w + w * 0.15}
                    y={100 - h}
                    width={w * 0.7}
                    height={h}
                    className={tone === "destructive" ? "fill-destructive" : "fill-primary"}
                  >
                    <title>{`${d.label}: ${format(d.value)}`}</title>
                  </rect>
                );
              })}
            </svg>
          )}
        </div>
        <div />
        <div aria-hidden="true" className="relative mt-1 h-4 text-[11px] text-muted-foreground">
          {data.map((d, i) =>
            i % labelEvery === 0 ? (
              <span key={d.label} className="absolute -translate-x-1/2 tabular-nums first:translate-x-0" style={{ left: `${i * w}%` }}>
                {d.label}
              </span>
            ) : null,
          )}
        </div>
      </div>
    </figure>
  );
}
