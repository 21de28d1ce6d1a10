import { describe, expect, it } from "vitest";
import { estimateProgress, formatTimeLeft, ordinal, phaseWords, readingPhase } from "@/lib/syncs/progress";

const start = new Date("2026-01-01T10:00:00Z");
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

describe("a running sync's progress", () => {
  it("reads at what it read over the time since it started, and estimates the rest from the source's total", () => {
    const run = { processed: 2_000, total: 10_000, phase: "reading_accounts", startedAt: start, heartbeatAt: at(10) };
    expect(estimateProgress(run, at(10))).toEqual({ percent: 20, recordsPerSecond: 200, secondsLeft: 40 });
    // Between reports the estimate counts down rather than standing still.
    expect(estimateProgress(run, at(15)).secondsLeft).toBe(35);
    expect(estimateProgress(run, at(80)).secondsLeft).toBe(0);
  });

  it("gives no estimate without a total, nor once reading is over, and no rate before anything was read", () => {
    expect(estimateProgress({ processed: 500, total: null, phase: "reading_groups", startedAt: start, heartbeatAt: at(5) }, at(5))).toEqual(
      {
        percent: null,
        recordsPerSecond: 100,
        secondsLeft: null,
      },
    );
    expect(
      estimateProgress({ processed: 10_000, total: 10_000, phase: "applying", startedAt: start, heartbeatAt: at(50) }, at(50)).secondsLeft,
    ).toBeNull();
    expect(estimateProgress({ processed: 0, total: null, phase: "connecting", startedAt: start, heartbeatAt: at(3) }, at(3))).toEqual({
      percent: null,
      recordsPerSecond: null,
      secondsLeft: null,
    });
  });

  it("never reports more than 100 % when the source under-counted", () => {
    expect(
      estimateProgress({ processed: 120, total: 100, phase: "reading_accounts", startedAt: start, heartbeatAt: at(2) }, at(2)).percent,
    ).toBe(100);
  });

  it("is said in words", () => {
    expect(phaseWords("reading_groups")).toBe("reading groups");
    expect(phaseWords("applying")).toBe("applying changes");
    expect(phaseWords(null)).toBe("running");
    expect(readingPhase("membership")).toBe("reading_memberships");
    expect([3, 42, 75, 150, 3_725].map(formatTimeLeft)).toEqual([
      "a few seconds",
      "about 40 s",
      "about 1 min 10 s",
      "about 2 min 30 s",
      "about 1 h 2 min",
    ]);
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual([
      "1st",
      "2nd",
      "3rd",
      "4th",
      "11th",
      "12th",
      "13th",
      "21st",
      "22nd",
      "101st",
      "111th",
    ]);
  });
});
