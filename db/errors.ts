/** Postgres error codes, looked up through Drizzle's wrapping. */
export function pgErrorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isUniqueViolation = (e: unknown) => pgErrorCode(e) === "23505";

/**
 * The connection to Postgres went away under a statement: the server shut down or
 * restarted (57P01–57P03, 08xxx), or the socket closed or broke (postgres.js's
 * CONNECTION_CLOSED / CONNECTION_DESTROYED, or the socket's own EPIPE / ECONNRESET /
 * ECONNREFUSED). Callers that also talk to other servers must rule those out first.
 */
export function isConnectionLost(e: unknown): boolean {
  const code = pgErrorCode(e);
  if (code && (/^08/.test(code) || ["57P01", "57P02", "57P03"].includes(code))) return true;
  for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === "string" && LOST_CONNECTION_CODES.has(c)) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

const LOST_CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "EPIPE",
  "ECONNRESET",
  "ECONNREFUSED",
]);
