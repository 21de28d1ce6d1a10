/**
 * For server components: how a page answers a service's "not found". A row
 * of another tenant, a deleted one and a malformed id all answer not_found,
 * and the page shows the 404 page for each alike.
 */
import "server-only";
import { notFound } from "next/navigation";
import { isAppError, type AppError } from "@/lib/errors";

function isNotFound(e: unknown): boolean {
  return isAppError(e) && e.kind === "not_found";
}

/** The value, or the 404 page when the service answers not_found; other errors propagate. */
export async function orNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (isNotFound(e)) notFound();
    throw e;
  }
}

/** The value, or null when the service answers not_found: for what a page can do without. */
export async function orNull<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

/**
 * A list read with filters from the query string. A filter the service
 * refuses (bad_request, unprocessable) is the visitor's typing, not a fault:
 * the page shows the refusal beside its filter form and `fallback` instead.
 */
export async function withFilterProblem<T>(
  work: () => Promise<T>,
  fallback: () => T | Promise<T>,
): Promise<{ value: T; problem: AppError | null }> {
  try {
    return { value: await work(), problem: null };
  } catch (e) {
    if (isAppError(e) && (e.kind === "bad_request" || e.kind === "unprocessable")) return { value: await fallback(), problem: e };
    throw e;
  }
}

/**
 * The query string of a filtered list page: its filter values (only those
 * set, in the page's key order) and extra parameters such as a cursor, with
 * the leading "?", or "" when there is nothing to carry.
 */
export function filterQuery<K extends string>(
  keys: readonly K[],
  params: Partial<Record<K, string>>,
  extra: Record<string, string> = {},
): string {
  const out = new URLSearchParams();
  for (const k of keys) if (params[k]) out.set(k, params[k]!);
  for (const [k, v] of Object.entries(extra)) out.set(k, v);
  const s = out.toString();
  return s ? `?${s}` : "";
}
