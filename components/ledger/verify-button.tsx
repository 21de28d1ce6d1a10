"use client";

/**
 * Runs a full ledger verification and shows its progress: reads the JSON
 * lines POST /api/ledger/verify streams ({done,total} …, then {result}).
 */
import { useState } from "react";
import { ShieldAlert, ShieldCheck } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";
import { formatCount, plural } from "@/lib/format";

type Result = {
  ok: boolean;
  entries: number;
  filesChecked: number;
  durationMs: number;
  problems: { seq?: number; reason: string }[];
};

export function VerifyLedgerButton() {
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setRunning(true);
    setResult(null);
    setError(null);
    setProgress({ done: 0, total: 0 });
    try {
      const response = await fetch("/api/ledger/verify", { method: "POST" });
      if (!response.ok || !response.body) {
        const body = await response.json().catch(() => null);
        throw new Error(body?.error?.message ?? `Verification failed to start (HTTP ${response.status}).`);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          if (!line.trim()) continue;
          const message = JSON.parse(line);
          if (message.result) setResult(message.result);
          else if (message.error) setError(message.error);
          else setProgress(message);
        }
      }
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setRunning(false);
    }
  }

  const percent = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : 0;
  return (
    <div className="grid gap-4">
      <div className="flex items-center gap-3">
        <Button type="button" onClick={() => void run()} disabled={running}>
          <ShieldCheck aria-hidden="true" /> {running ? "Verifying…" : "Verify ledger"}
        </Button>
        {running && progress ? (
          <span className="text-sm text-muted-foreground tabular-nums">
            {formatCount(progress.done)} of {formatCount(progress.total)} entries
          </span>
        ) : null}
      </div>
      {running ? <Progress value={percent} aria-label="Verification progress" /> : null}
      {error ? (
        <Alert variant="destructive">
          <AlertTitle>Verification could not run</AlertTitle>
          <AlertDescription>{error}</AlertDescription>
        </Alert>
      ) : null}
      {result ? (
        result.ok ? (
          <Alert>
            <ShieldCheck aria-hidden="true" />
            <AlertTitle>Ledger intact</AlertTitle>
            <AlertDescription>
              {plural(result.entries, "entry", "entries")} and {plural(result.filesChecked, "evidence file")} verified in{" "}
              {(result.durationMs / 1000).toFixed(1)} s: every hash, link, source record, file and checkpoint signature checks out.
            </AlertDescription>
          </Alert>
        ) : (
          <Alert variant="destructive">
            <ShieldAlert aria-hidden="true" />
            <AlertTitle>Tampering detected</AlertTitle>
            <AlertDescription>
              <p>
                First bad entry: {result.problems[0].seq ?? "—"}. {result.problems[0].reason}
              </p>
              {result.problems.length > 1 ? (
                <ul className="mt-2 list-disc pl-5">
                  {result.problems.slice(1, 20).map((p, i) => (
                    <li key={i}>{p.reason}</li>
                  ))}
                </ul>
              ) : null}
            </AlertDescription>
          </Alert>
        )
      ) : null}
    </div>
  );
}
