/** Input checks shared by every service: zod failures as the application's error, ids, NUL characters. */
import { z } from "zod";
import { AppError, type ErrorCode } from "./errors";
import { asSentence } from "./format";

const uuid = z.uuid();

/** The one id check: ids are UUIDs, and a malformed one is answered like an unknown one. */
export function isUuid(value: unknown): value is string {
  return uuid.safeParse(value).success;
}

export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join(".") : "form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/**
 * The path of the first string (or key) holding a NUL character, or null.
 * Postgres text cannot store one: the insert would fail as a 500, so such
 * input is refused up front as the client's mistake.
 */
export function nulPath(input: unknown, path: string[] = [], depth = 0): string | null {
  const here = () => (path.length ? path.join(".") : "form");
  if (typeof input === "string") return input.includes("\u0000") ? here() : null;
  if (depth > 32 || input === null || typeof input !== "object") return null;
  if (Array.isArray(input)) {
    for (const [i, v] of input.entries()) {
      const found = nulPath(v, [...path, String(i)], depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (Object.getPrototypeOf(input) !== Object.prototype && Object.getPrototypeOf(input) !== null) return null;
  for (const [k, v] of Object.entries(input)) {
    if (k.includes("\u0000")) return [...path, k.replaceAll("\u0000", "\\0")].join(".");
    const found = nulPath(v, [...path, k], depth + 1);
    if (found) return found;
  }
  return null;
}

export const NUL_MESSAGE = "contains a NUL character (\\0), which text cannot hold; remove it";

/** Refuses input that carries a NUL character anywhere, with a 400 naming where. */
export function assertNoNul(input: unknown, what?: string): void {
  const path = nulPath(input);
  if (path === null) return;
  const field = what ? (path === "form" ? what : `${what} ${path}`) : path;
  throw new AppError("bad_request:nul_character", `${field}: ${NUL_MESSAGE}.`, { [path]: [NUL_MESSAGE] });
}

/**
 * What a field is called in a message. Messages in the schemas are predicates written to follow
 * the field's name ("must not be before the start date"); the name a person reads comes from here.
 */
const FIELD_LABELS: Record<string, string> = {
  q: "Search",
  from: "Start date",
  to: "End date",
  entityType: "Entity type",
  actorType: "Actor type",
  objectType: "Object type",
  uploadIds: "Files",
  "evidence.uploadIds": "Evidence files",
  "evidence.notes": "Evidence notes",
  scheduleMinutes: "Sync schedule",
  dropThresholdPercent: "Drop threshold",
  maxRunMinutes: "Maximum run time",
  logoUploadId: "Logo",
  baseDn: "Base DN",
  bindDn: "Bind DN",
  bindPassword: "Bind password",
  url: "URL",
  expiresAt: "Expiry date",
  confirmPassword: "Repeated password",
};

/** "config.bindDn" → "Bind DN", "dropThresholdPercent" → "Drop threshold", "userAgent" → "User agent". */
export function fieldLabel(path: string): string {
  if (FIELD_LABELS[path]) return FIELD_LABELS[path];
  const last =
    path
      .split(".")
      .filter((p) => !/^\d+$/.test(p))
      .pop() ?? path;
  if (FIELD_LABELS[last]) return FIELD_LABELS[last];
  const words = last
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "End date must not be before the start date." A message that names its subject already stays as it is. */
export function describeProblem(field: string, message: string): string {
  if (field === "form" || /^[A-Z"“]/.test(message)) return asSentence(message);
  return asSentence(`${fieldLabel(field)} ${message}`);
}

/**
 * The one way a validation failure becomes an AppError: per-field messages beside their fields,
 * and one message that reports every invalid field at once, each as a sentence.
 */
export function validationError(failure: z.ZodError | Record<string, string[]>, code: ErrorCode = "unprocessable:validation"): AppError {
  const fieldErrors = failure instanceof z.ZodError ? fieldErrorsOf(failure) : failure;
  const problems = Object.entries(fieldErrors).flatMap(([field, messages]) => messages.map((m) => describeProblem(field, m)));
  const message =
    problems.length === 0
      ? "The input is not valid."
      : problems.length === 1
        ? problems[0]
        : `${problems.length} problems: ${problems.join(" ")}`;
  return new AppError(code, message, fieldErrors);
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  assertNoNul(input);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(result.error);
}
