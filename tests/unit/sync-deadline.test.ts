import { describe, expect, it } from "vitest";
import { deadlineMessage, formatLimit, overdueLabel, overdueOf, phaseBudgetMs } from "@/lib/syncs/deadline";

const at = (iso: string) => new Date(`2026-11-30T${iso}Z`);

describe("sync deadlines", () => {
  it("gives the phases after reading a deadline that grows with the records read, and reading none of its own", () => {
    expect(phaseBudgetMs("applying", 0)).toBe(120_000);
    expect(phaseBudgetMs("applying", 1_200_000)).toBe(120_000 + 360_000);
    expect(phaseBudgetMs("comparing", 100_000)).toBe(150_000);
    expect(phaseBudgetMs("reading_accounts", 1_200_000)).toBeNull();
    expect(phaseBudgetMs("connecting", 0)).toBeNull();
  });

  it("names the phase and its limit, or the run's maximum, in the message a run ends with", () => {
    const phase = {
      phase: "applying" as const,
      processed: 1_200_000,
      phaseStartedAt: at("10:00:00"),
      deadlineAt: at("10:04:00"),
      runDeadlineAt: at("11:00:00"),
      maxRunSeconds: 7200,
    };
    expect(deadlineMessage(phase)).toMatch(
      /^The sync stopped: the applying phase exceeded its 4 min deadline \(1,200,000 records\); nothing was applied\./,
    );
    const run = { ...phase, phase: "reading_groups" as const, processed: 5_000, deadlineAt: at("11:00:00"), maxRunSeconds: 3600 };
    expect(deadlineMessage(run)).toMatch(
      /^The sync stopped: it ran past the integration's maximum run time of 1 h while reading groups \(5,000 records read\); nothing was applied\. Raise the maximum run time/,
    );
  });

  it("shows a running sync as overdue past 80 % of its deadline, with how long against which limit", () => {
    const run = {
      status: "syncing",
      phase: "applying" as const,
      processed: 10,
      phaseStartedAt: at("10:00:00"),
      deadlineAt: at("10:04:00"),
      runDeadlineAt: at("11:00:00"),
      maxRunSeconds: 7200,
    };
    expect(overdueOf(run, at("10:03:00"))).toEqual({ overdue: false });
    const late = overdueOf(run, at("10:03:20"));
    expect(late).toEqual({ overdue: true, inPhaseMs: 200_000, limitMs: 240_000, leftMs: 40_000, kind: "phase" });
    if (late.overdue)
      expect(overdueLabel(late, "applying")).toBe("applying changes for 3 min 20 s of its 4 min; ends in 40 s if still running");
    expect(overdueOf({ ...run, status: "error" }, at("10:03:50"))).toEqual({ overdue: false });
    expect(formatLimit(5_400_000)).toBe("1 h 30 min");
  });
});
