/**
 * How far a running sync has got, in a person's words: its phase, the rate it
 * reads at and the time it still needs. Client-safe (no server imports), so
 * the engine's messages and the pages say the same thing.
 */
import type { SyncPhase } from "@/lib/domain/enums";
import type { ObjectType } from "@/lib/connectors/types";

export type ProgressPhase = SyncPhase;

export const PHASE_LABELS: Record<ProgressPhase, string> = {
  connecting: "Connecting",
  reading_accounts: "Reading accounts",
  reading_groups: "Reading groups",
  reading_roles: "Reading roles",
  reading_entitlements: "Reading entitlements",
  reading_memberships: "Reading memberships",
  comparing: "Comparing records",
  checking: "Checking the drop threshold",
  applying: "Applying changes",
};

const READING: Record<ObjectType, ProgressPhase> = {
  account: "reading_accounts",
  group: "reading_groups",
  role: "reading_roles",
  entitlement: "reading_entitlements",
  membership: "reading_memberships",
};

export function readingPhase(objectType: ObjectType): ProgressPhase {
  return READING[objectType];
}

export function isReadingPhase(phase: string | null | undefined): boolean {
  return phase === "connecting" || (phase?.startsWith("reading_") ?? false);
}

/** "while reading groups": the phase as the end of a sentence. */
export function phaseWords(phase: string | null | undefined): string {
  const label = phase ? PHASE_LABELS[phase as ProgressPhase] : undefined;
  return label ? label.charAt(0).toLowerCase() + label.slice(1) : "running";
}

export type ProgressEstimate = {
  /** Whole percent of the total read; null while the source has not said how many there are. */
  percent: number | null;
  recordsPerSecond: number | null;
  /** Null unless the total is known and the sync is still reading. */
  secondsLeft: number | null;
};

/**
 * The rate is what was read so far over the time since the run started, as
 * of the last progress report (its heartbeat); the estimate counts down from
 * that report, so it moves between reports without claiming more precision.
 */
export function estimateProgress(
  run: {
    processed: number;
    total: number | null;
    phase: string | null;
    startedAt: Date | string | null;
    heartbeatAt: Date | string | null;
  },
  now: Date = new Date(),
): ProgressEstimate {
  const known = run.total !== null && run.total > 0;
  const percent = known ? Math.min(100, Math.floor((run.processed / run.total!) * 100)) : null;
  const started = run.startedAt ? new Date(run.startedAt).getTime() : NaN;
  const measured = run.heartbeatAt ? new Date(run.heartbeatAt).getTime() : now.getTime();
  const elapsed = (measured - started) / 1000;
  const recordsPerSecond = run.processed > 0 && elapsed >= 1 ? run.processed / elapsed : null;
  let secondsLeft: number | null = null;
  if (known && recordsPerSecond && isReadingPhase(run.phase) && run.processed < run.total!) {
    const sinceReport = Math.max(0, (now.getTime() - measured) / 1000);
    secondsLeft = Math.max(0, Math.round((run.total! - run.processed) / recordsPerSecond - sinceReport));
  }
  return { percent, recordsPerSecond, secondsLeft };
}

/** "about 3 min 20 s", "about 45 s", "a few seconds". */
export function formatTimeLeft(seconds: number): string {
  if (seconds < 5) return "a few seconds";
  if (seconds < 60) return `about ${Math.round(seconds / 5) * 5} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `about ${minutes} min${seconds % 60 >= 10 ? ` ${Math.floor((seconds % 60) / 10) * 10} s` : ""}`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "1st", "2nd", "3rd", "11th", "22nd". */
export function ordinal(n: number): string {
  const mod100 = n % 100;
  const suffix = mod100 >= 11 && mod100 <= 13 ? "th" : (({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th");
  return `${n}${suffix}`;
}
