/** A small accessible SVG bar chart for hourly series; server-safe. */
export function BarChart({
  title,
  data,
  format = (v) => String(v),
  tone = "primary",
}: {
  title: string;
  data: { label: string; value: number }[];
  format?: (v: number) => string;
  tone?: "primary" | "destructive";
}) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const w = 100 / Math.max(1, data.length);
  return (
    <figure className="grid gap-2">
      <figcaption className="text-sm font-medium">{title}</figcaption>
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label={title} className="h-32 w-full">
        {data.map((d, i) => {
          const h = (d.value / max) * 38;
          return (
            <rect
              key={d.label}
              x={i * w + w * 0.15}
              y={40 - h}
              width={w * 0.7}
              height={h}
              className={tone === "destructive" ? "fill-destructive" : "fill-primary"}
            >
              <title>{`${d.label}: ${format(d.value)}`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="flex justify-between text-[11px] text-muted-foreground">
        <span>{data[0]?.label}</span>
        <span>{data.at(-1)?.label}</span>
      </div>
    </figure>
  );
}
