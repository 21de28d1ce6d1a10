/**
 * LDAP failures in the user's words: result codes by the names LDAP tools
 * print, network and TLS problems told apart, and nothing of the bind
 * password or an over-long server diagnostic in the message.
 */
import { ResultCodeError } from "ldapts";
import { ConnectorError, errorText, scrubSecrets, shownText } from "../types";
import type { LdapConfig } from "./config";

/** Runs one LDAP call and turns whatever it throws into a ConnectorError (or the abort reason). */
export async function guard<T>(config: LdapConfig, signal: AbortSignal | undefined, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw toConnectorError(config, operation, error);
  }
}

/** Like guard, for add / modify / delete / modifyDN: a refused write is the target's final word about the data, not a settings problem. */
export async function guardWrite<T>(
  config: LdapConfig,
  signal: AbortSignal | undefined,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw toConnectorError(config, operation, error, writeKind);
  }
}

/** RFC 4511 result codes, named the way LDAP tools print them. */
const RESULT_CODES: Record<number, string> = {
  1: "Operations Error",
  2: "Protocol Error",
  3: "Time Limit Exceeded",
  4: "Size Limit Exceeded",
  7: "Auth Method Not Supported",
  8: "Strong(er) Authentication Required",
  11: "Administrative Limit Exceeded",
  12: "Unavailable Critical Extension",
  13: "Confidentiality Required",
  16: "No Such Attribute",
  17: "Undefined Attribute Type",
  18: "Inappropriate Matching",
  19: "Constraint Violation",
  20: "Attribute or Value Exists",
  21: "Invalid Attribute Syntax",
  32: "No Such Object",
  34: "Invalid DN Syntax",
  36: "Alias Dereferencing Problem",
  48: "Inappropriate Authentication",
  49: "Invalid Credentials",
  50: "Insufficient Access",
  51: "Server is Busy",
  52: "Server is Unavailable",
  53: "Server is Unwilling to Perform",
  54: "Loop Detected",
  64: "Naming Violation",
  65: "Object Class Violation",
  66: "Operation Not Allowed on Non-Leaf",
  67: "Operation Not Allowed on RDN",
  68: "Already Exists",
  69: "Cannot Modify Object Class",
  80: "Other (e.g., implementation specific) Error",
};

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
]);

/** The name LDAP tools print for a result code. */
export function resultCodeName(code: number): string {
  return RESULT_CODES[code] ?? `Result code ${code}`;
}

export function toConnectorError(
  config: LdapConfig,
  operation: string,
  error: unknown,
  kindOf: (code: number) => ConnectorError["kind"] = ldapKind,
): ConnectorError {
  // The diagnostic and the library's words may carry what the server sent: capped and stripped.
  const scrub = (message: string) => shownText(scrubSecrets(message, [config.bindPassword]), 400);
  if (error instanceof ResultCodeError) {
    const name = resultCodeName(error.code);
    // ldapts appends " Code: 0x31" to the server's diagnostic, or uses its own
    // sentence when the server sent none; keep only a diagnostic that adds something.
    const diagnostic = shownText(error.message.replace(/\s*Code: 0x[0-9a-f]+$/i, ""));
    const adds = diagnostic && !letters(diagnostic).startsWith(letters(name).slice(0, 12));
    let message = `LDAP ${operation} failed: ${name} (${error.code})${adds ? `: ${diagnostic}` : ""}`;
    if (error.code === 32 && operation === "search") message += ` — check the base DN settings`;
    return new ConnectorError(scrub(message), kindOf(error.code), { cause: error });
  }
  const code = (error as { code?: unknown })?.code;
  const text = errorText(error);
  if (typeof code === "string" && NETWORK_CODES.has(code)) return new ConnectorError(scrub(text), "unreachable", { cause: error });
  if (/timed? ?out|timeout/i.test(text)) {
    return new ConnectorError(scrub(`LDAP ${operation} to ${config.url} timed out (${text})`), "unreachable", { cause: error });
  }
  if (/Connection closed|socket/i.test(text))
    return new ConnectorError(scrub(`LDAP ${operation} failed: ${text}`), "unreachable", { cause: error });
  if ((typeof code === "string" && /CERT|TLS|SSL/.test(code)) || /certificate|TLS|SSL/i.test(text)) {
    return new ConnectorError(scrub(`LDAP TLS failed: ${text}`), "config", { cause: error });
  }
  // ldapts rejects a malformed filter or DN before sending anything.
  if (/filter|DN/i.test(text)) return new ConnectorError(scrub(`LDAP ${operation} failed: ${text}`), "config", { cause: error });
  return new ConnectorError(scrub(`LDAP ${operation} failed: ${text}`), "protocol", { cause: error });
}

function ldapKind(code: number): ConnectorError["kind"] {
  if (code === 48 || code === 49 || code === 50) return "auth";
  if (code === 51 || code === 52) return "unreachable";
  if (code === 7 || code === 8 || code === 13 || code === 17 || code === 32 || code === 34) return "config";
  return "protocol";
}

function writeKind(code: number): ConnectorError["kind"] {
  if (code === 32) return "not_found";
  // Schema and value problems: the data asked for does not fit the directory.
  if ([16, 17, 18, 19, 20, 21, 34, 64, 65, 67, 69].includes(code)) return "bad_data";
  if (code === 49 || code === 48) return "auth";
  if (code === 51 || code === 52) return "unreachable";
  if (code === 50 || code === 53 || code === 66 || code === 68) return "rejected";
  return "protocol";
}

const letters = (s: string) => s.toLowerCase().replace(/[^a-z]/g, "");
