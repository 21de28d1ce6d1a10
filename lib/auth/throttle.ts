/**
 * The sign-in throttle's arithmetic, kept pure so it can be read and tested
 * on its own. Failures earn a delay that doubles with each one past a free
 * allowance; the next attempt is accepted once the delay since the last
 * failure has passed, so the right password always gets through in the end
 * (no hard lock a stranger could impose on an account's owner).
 */
export type ThrottleRule = {
  /** Failures allowed before any delay. */
  freeFailures: number;
  /** The longest delay, in seconds. */
  maxDelaySeconds: number;
};

export const THROTTLE_WINDOW_SECONDS = 60 * 60;

export const THROTTLE_RULES = {
  /**
   * One account from one address: a guesser at one place is slowed hard, and
   * it does not slow the owner signing in from another address.
   */
  accountAtAddress: { freeFailures: 3, maxDelaySeconds: 15 * 60 },
  /** One address across all accounts: password spraying. Shared office addresses get a larger allowance. */
  address: { freeFailures: 20, maxDelaySeconds: 15 * 60 },
  /**
   * One account from every address: guessing spread over many addresses. Capped
   * low, because it also delays the owner: a short wait, never a lock.
   */
  account: { freeFailures: 10, maxDelaySeconds: 30 },
} as const satisfies Record<string, ThrottleRule>;

/** The delay, in seconds, that `failures` recent failures earn. */
export function delayAfter(failures: number, rule: ThrottleRule): number {
  if (failures < rule.freeFailures) return 0;
  return Math.min(rule.maxDelaySeconds, 2 ** (failures - rule.freeFailures));
}

/** Whole seconds still to wait before the next attempt is accepted; 0 when it may go ahead. */
export function secondsToWait(failures: number, secondsSinceLast: number, rule: ThrottleRule): number {
  return Math.max(0, Math.ceil(delayAfter(failures, rule) - secondsSinceLast));
}

export function tooManyAttemptsMessage(seconds: number): string {
  return `Too many attempts; try again in ${seconds} ${seconds === 1 ? "second" : "seconds"}.`;
}
