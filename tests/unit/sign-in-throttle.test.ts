import { describe, expect, it } from "vitest";
import { delayAfter, secondsToWait, THROTTLE_RULES, tooManyAttemptsMessage } from "@/lib/auth/throttle";

const pair = THROTTLE_RULES.accountAtAddress;

describe("sign-in throttle", () => {
  it("lets the first failures through, then doubles the delay up to its cap", () => {
    expect([0, 1, 2].map((n) => delayAfter(n, pair))).toEqual([0, 0, 0]);
    expect([3, 4, 5, 6].map((n) => delayAfter(n, pair))).toEqual([1, 2, 4, 8]);
    expect(delayAfter(40, pair)).toBe(15 * 60);
    expect(delayAfter(40, THROTTLE_RULES.account)).toBe(30);
  });

  it("accepts an attempt once the delay since the last failure has passed: a wait, never a lock", () => {
    expect(secondsToWait(6, 0.2, pair)).toBe(8);
    expect(secondsToWait(6, 7.5, pair)).toBe(1);
    expect(secondsToWait(6, 8, pair)).toBe(0);
    expect(secondsToWait(1000, 15 * 60, pair)).toBe(0);
    expect(secondsToWait(5, Infinity, pair)).toBe(0);
  });

  it("tells the user how long to wait", () => {
    expect(tooManyAttemptsMessage(1)).toBe("Too many attempts; try again in 1 second.");
    expect(tooManyAttemptsMessage(8)).toBe("Too many attempts; try again in 8 seconds.");
  });
});
