import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { formatCount, formatDateTime, plural } from "@/lib/format";
import type { TenantWitnessing, WitnessLag } from "@/lib/ledger/witnessing";

const STATE: Record<WitnessLag["state"], { label: string; variant: "success" | "warning" | "destructive" }> = {
  current: { label: "Current", variant: "success" },
  behind: { label: "Behind", variant: "warning" },
  error: { label: "Failing", variant: "destructive" },
};

/** "0 s", "42 s", "5 min", "2 h 3 min", "3 d 4 h". */
function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Each witness's view of the tenant's log: what it last cosigned, how far behind it is, and why it fails. */
export function WitnessLagCard({ witnessing }: { witnessing: TenantWitnessing | { error: string } }) {
  if ("error" in witnessing) {
    return (
      <Card>
        <CardHeader>
          <CardTitle>Witnesses</CardTitle>
          <CardDescription className="text-destructive">{witnessing.error}</CardDescription>
        </CardHeader>
      </Card>
    );
  }
  const { witnesses, quorum, current, heartbeatSeconds } = witnessing;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Witnesses</CardTitle>
        <CardDescription>
          {witnesses.length === 0
            ? "No witnesses are configured (LEDGER_WITNESSES_FILE). Checkpoints are signed by this server alone, so its operator could roll the ledger back unnoticed."
            : `Independent servers that cosign each checkpoint after checking it extends the last one they saw, and again every ${duration(heartbeatSeconds)} when nothing changed. ${current} of ${witnesses.length} current; a checkpoint needs ${quorum}.`}
        </CardDescription>
        {witnesses.length && current < quorum ? (
          <p className="text-sm font-medium text-destructive">
            Below the quorum: the newest checkpoints have {current} current {current === 1 ? "witness" : "witnesses"} of the {quorum}{" "}
            required.
          </p>
        ) : null}
      </CardHeader>
      {witnesses.length ? (
        <CardContent>
          <ul className="divide-y" aria-label="Witnesses">
            {witnesses.map((w) => (
              <li key={w.verifierKey} className="grid gap-1 py-3 first:pt-0 last:pb-0">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-medium break-all">{w.name}</span>
                  <Badge variant={STATE[w.state].variant}>{STATE[w.state].label}</Badge>
                </div>
                <p className="text-xs text-muted-foreground break-all">{w.url}</p>
                <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-sm sm:grid-cols-[auto_1fr_auto_1fr]">
                  <dt className="text-muted-foreground">Cosigned</dt>
                  <dd className="tabular-nums">
                    {w.size ? `tree size ${formatCount(w.size)}, ${formatDateTime(w.cosignedAt)} UTC` : "nothing yet"}
                  </dd>
                  <dt className="text-muted-foreground">Behind</dt>
                  <dd className="tabular-nums">
                    {w.entriesBehind ? `${plural(w.entriesBehind, "entry", "entries")}, for ${duration(w.secondsBehind)}` : "up to date"}
                  </dd>
                </dl>
                {w.lastError ? (
                  <p className="text-sm text-destructive break-words">
                    Last attempt {formatDateTime(w.lastAttemptAt)} UTC failed: {w.lastError}
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
        </CardContent>
      ) : null}
    </Card>
  );
}
