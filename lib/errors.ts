/**
 * One application error with a code. Route handlers and actions map the code
 * to an HTTP status or an action result; unexpected errors never reach the
 * client with their message.
 */
export type ErrorKind =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "unprocessable"
  | "rate_limited"
  | "unavailable";

/** e.g. "forbidden:audit_log" or "not_found:api_key" */
export type ErrorCode = `${ErrorKind}` | `${ErrorKind}:${string}`;

const statusByKind: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fieldErrors?: Record<string, string[]>;

  constructor(code: ErrorCode, message: string, fieldErrors?: Record<string, string[]>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.fieldErrors = fieldErrors;
  }

  get kind(): ErrorKind {
    return this.code.split(":")[0] as ErrorKind;
  }

  get status(): number {
    return statusByKind[this.kind];
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/**
 * Postgres refused a NUL character: in text (22021, "invalid byte sequence
 * ... 0x00") or in jsonb (22P05, "\u0000 cannot be converted to text"). That
 * is the input's fault, whichever path let it through, so it is answered as
 * a 400, not a 500.
 */
export function isNulCharacterError(e: unknown): boolean {
  for (let cause = e, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (code === "22P05") return true;
    if (code === "22021" && typeof message === "string" && message.includes("0x00")) return true;
  }
  return false;
}
