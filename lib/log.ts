/**
 * Structured logging. Secrets never pass through here: callers log ids, not
 * payloads, and errors go through `serializeError`, because a failed query's
 * error (drizzle's DrizzleQueryError) carries the statement's parameters —
 * encrypted secrets, evidence notes, emails — in its message, stack and
 * `params`.
 */
import pino from "pino";
import { ConfigError, getConfig } from "@/lib/config";

/** Fields of an error worth logging; everything else (params, query values, Postgres `detail`) stays out. */
const ERROR_FIELDS = ["code", "kind", "severity", "routine", "constraint_name", "table_name", "column_name", "schema_name"] as const;

/** Drops drizzle's "params: …" part of a message or stack, up to the first stack frame. */
function withoutParams(text: string | undefined): string | undefined {
  return text?.replace(/\nparams: [\s\S]*?(?=\n\s+at |$)/, "\nparams: [not logged]");
}

/** Postgres data exceptions (SQLSTATE class 22) quote the offending value: `invalid input syntax for type integer: "…"`. */
function withoutValue(code: unknown, text: string | undefined): string | undefined {
  if (typeof code !== "string" || !code.startsWith("22")) return text;
  return text?.replace(/: "[^\n]*"/, ': "[not logged]"');
}

export function serializeError(e: unknown, depth = 0): unknown {
  if (!(e instanceof Error)) return typeof e === "object" && e !== null ? { type: typeof e, value: "[not logged]" } : e;
  const code = (e as { code?: unknown }).code;
  const out: Record<string, unknown> = {
    type: e.name,
    message: withoutValue(code, withoutParams(e.message)),
    stack: withoutValue(code, withoutParams(e.stack)),
  };
  for (const field of ERROR_FIELDS) {
    const value = (e as unknown as Record<string, unknown>)[field];
    if (typeof value === "string" || typeof value === "number") out[field] = value;
  }
  if (e.cause !== undefined && depth < 4) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

/** The configured level; a configuration error must still be loggable, so it falls back to "info". */
function level(): string {
  try {
    return getConfig().LOG_LEVEL;
  } catch (e) {
    if (e instanceof ConfigError) return "info";
    throw e;
  }
}

export const log = pino({
  level: level(),
  serializers: { err: serializeError, error: serializeError },
  redact: {
    paths: ["*.password", "*.secret", "*.token", "*.authorization", "*.bindPassword", "*.apiKey"],
    censor: "[redacted]",
  },
});
