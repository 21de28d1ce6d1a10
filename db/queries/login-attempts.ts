/** Data access for sign-in attempts, the record the sign-in throttle counts. */
import "server-only";
import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../client";
import { loginAttempts } from "../schema";

export async function insertLoginAttempt(db: Executor, values: { email: string; ip: string | null; succeeded: boolean }) {
  await db.insert(loginAttempts).values(values);
}

/**
 * Which attempts one throttle counts: an account (lower-cased email), an
 * address, or the pair. `ip: null` means attempts whose address was unknown.
 */
export type AttemptKey = { email?: string; ip?: string | null };

function keyCondition(key: AttemptKey): SQL {
  const parts: SQL[] = [];
  if (key.email !== undefined) parts.push(sql`lower(${loginAttempts.email}) = ${key.email}`);
  if (key.ip !== undefined) parts.push(key.ip === null ? isNull(loginAttempts.ip) : eq(loginAttempts.ip, key.ip));
  return and(...parts)!;
}

/**
 * Failed attempts for `key` within the window, and how long ago the last one
 * was (by the database's clock, so app servers' clocks do not matter). With
 * `sinceSuccess`, a successful sign-in under the same key starts the count again.
 */
export async function recentFailures(db: Executor, key: AttemptKey, windowSeconds: number, sinceSuccess: boolean) {
  const where = keyCondition(key);
  const windowStart = sql`now() - make_interval(secs => ${windowSeconds})`;
  const since = sinceSuccess
    ? sql`greatest(${windowStart}, (select max(${loginAttempts.attemptedAt}) from ${loginAttempts} where ${where} and ${loginAttempts.succeeded}))`
    : windowStart;
  const [row] = await db
    .select({
      failures: sql<number>`count(*)::int`,
      secondsSinceLast: sql<number | null>`extract(epoch from now() - max(${loginAttempts.attemptedAt}))::float8`,
    })
    .from(loginAttempts)
    .where(and(where, eq(loginAttempts.succeeded, false), sql`${loginAttempts.attemptedAt} > ${since}`));
  return { failures: row.failures, secondsSinceLast: row.secondsSinceLast ?? Infinity };
}
