/**
 * How long a sync may take. The integration's maximum run time bounds the
 * whole run; the phases after reading (comparing, checking, applying) are
 * Postgres work whose length follows the records read, and each gets a
 * deadline of its own: a base plus an allowance per record, never past the
 * run's end. Reading is bounded by the run's maximum alone: a slow source is
 * not a stuck statement. A run past 80 % of its deadline is shown overdue.
 * Client-safe (no server imports), so the worker's messages and the pages agree.
 */
import type { SyncPhase } from "@/lib/domain/enums";
import { phaseWords } from "./progress";

export const DEFAULT_MAX_RUN_MINUTES = 120;
export const MAX_RUN_MINUTES_LIMIT = 1440;
/** The share of its deadline after which a running phase is shown overdue. */
export const OVERDUE_FRACTION = 0.8;

export type PhaseBudget = { baseMs: number; perThousandRecordsMs: number };

/**
 * 2 min, plus 30 s per 100,000 records: the apply of 605,000 records takes
 * seconds on the project's machine (docs/benchmarks.md), so a phase past this
 * is waiting, not working.
 */
export const DEFAULT_PHASE_BUDGET: PhaseBudget = { baseMs: 120_000, perThousandRecordsMs: 300 };

const SCALED_PHASES = new Set<SyncPhase>(["comparing", "checking", "applying"]);

/** The phase's own deadline in milliseconds for a run that read `records`; null for a phase bounded only by the run's maximum. */
export function phaseBudgetMs(phase: SyncPhase | null, records: number, budget: PhaseBudget = DEFAULT_PHASE_BUDGET): number | null {
  if (!phase || !SCALED_PHASES.has(phase)) return null;
  return Math.round(budget.baseMs + (Math.max(0, records) / 1000) * budget.perThousandRecordsMs);
}

/** "4 min", "1 h 30 min", "45 s". */
export function formatLimit(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest ? `${m} min ${rest} s` : `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${Math.floor(m / 60)} h`;
}

export type RunDeadline = {
  phase: SyncPhase | null;
  processed: number;
  phaseStartedAt: Date | string | null;
  deadlineAt: Date | string | null;
  runDeadlineAt: Date | string | null;
  maxRunSeconds: number;
};

/** Whether the deadline that ends the run is its phase's or the run's maximum, and how long that limit is. */
export function deadlineKind(run: RunDeadline): { kind: "phase" | "run"; limitMs: number } {
  const maxMs = run.maxRunSeconds * 1000;
  if (run.deadlineAt && run.runDeadlineAt && run.phaseStartedAt) {
    const deadline = new Date(run.deadlineAt).getTime();
    if (deadline < new Date(run.runDeadlineAt).getTime()) {
      return { kind: "phase", limitMs: deadline - new Date(run.phaseStartedAt).getTime() };
    }
  }
  return { kind: "run", limitMs: maxMs };
}

/** "applying", "comparing", "checking": a phase as its one word. */
function phaseName(phase: SyncPhase | null): string {
  return phase ? phase.split("_")[0] : "running";
}

const records = (n: number) => `${n.toLocaleString("en")} record${n === 1 ? "" : "s"}`;

/** The message a run ended by its deadline carries: which limit, which phase, how many records, what to do. */
export function deadlineMessage(run: RunDeadline): string {
  const { kind, limitMs } = deadlineKind(run);
  if (kind === "phase") {
    return (
      `The sync stopped: the ${phaseName(run.phase)} phase exceeded its ${formatLimit(limitMs)} deadline ` +
      `(${records(run.processed)}); nothing was applied. This deadline grows with the records read, so a phase past it was waiting ` +
      "(on a lock or an overloaded database) rather than working: check Pipeline Health for other runs and the database's load, then sync again."
    );
  }
  return (
    `The sync stopped: it ran past the integration's maximum run time of ${formatLimit(limitMs)} while ${phaseWords(run.phase)} ` +
    `(${records(run.processed)} read); nothing was applied. Raise the maximum run time in the integration's settings if the source ` +
    "is this slow, or sync again."
  );
}

export type Overdue = { overdue: false } | { overdue: true; inPhaseMs: number; limitMs: number; leftMs: number; kind: "phase" | "run" };

/**
 * A running sync past 80 % of its deadline, with how long it has been at it,
 * against which limit, and how long it has left; `now` is the database's, as
 * the deadline is.
 */
export function overdueOf(run: RunDeadline & { status: string }, now: Date | string): Overdue {
  if (run.status !== "syncing" || !run.deadlineAt || !run.runDeadlineAt) return { overdue: false };
  const t = new Date(now).getTime();
  const { kind, limitMs } = deadlineKind(run);
  const from = kind === "phase" ? new Date(run.phaseStartedAt!).getTime() : new Date(run.runDeadlineAt).getTime() - limitMs;
  const used = t - from;
  if (used < limitMs * OVERDUE_FRACTION) return { overdue: false };
  return { overdue: true, inPhaseMs: used, limitMs, leftMs: Math.max(0, new Date(run.deadlineAt).getTime() - t), kind };
}

/** "Overdue: applying for 3 min 20 s of its 4 min deadline" as a short label. */
export function overdueLabel(o: Extract<Overdue, { overdue: true }>, phase: SyncPhase | null): string {
  const what = o.kind === "phase" ? `${phaseWords(phase)} for` : "running for";
  return `${what} ${formatLimit(o.inPhaseMs)} of ${o.kind === "phase" ? "its" : "the maximum"} ${formatLimit(o.limitMs)}; ends in ${formatLimit(o.leftMs)} if still running`;
}
