/**
 * The connector contract: every identity source (LDAP directory, SCIM service
 * provider, uploaded CSV files) is one module implementing `Connector`, so the
 * sync engine, the API and the settings form never know which protocol is
 * behind a source. Adding a source type is one new file plus its tests.
 */
import type { Readable } from "node:stream";
import type { z } from "zod";

import type { ConnectorType, ObjectType } from "@/lib/domain/enums";

export { OBJECT_TYPES, type ConnectorType, type ObjectType } from "@/lib/domain/enums";

/** One record as the source gave it, before mapping. */
export type SourceRecord = {
  objectType: ObjectType;
  /** For memberships: `${groupExternalId}|${memberExternalId}`, with attributes { groupExternalId, memberExternalId }. */
  externalId: string;
  attributes: Record<string, unknown>;
};

export type ExtractPage = {
  objectType: ObjectType;
  records: SourceRecord[];
  /** Total for this object type when the source tells. */
  total?: number;
  /**
   * Rows or entries that could not be turned into records; the run goes on without them.
   * `attributes`, when the source had some, are mapped like a record's so the Sync Log can name the row.
   */
  rejected?: { line?: number; externalId?: string; reason: string; attributes?: Record<string, unknown> }[];
};

export type ExtractOptions = {
  objectTypes: readonly ObjectType[];
  /** Per-object-type delta positions from the last completed sync; null = full. */
  cursors: Partial<Record<ObjectType, string>> | null;
  /** Cancels the run: the generator then throws the signal's reason, not a ConnectorError. */
  signal?: AbortSignal;
  pageSize?: number;
  /** For CSV: reads an uploaded file from the object store. */
  openObject?: (key: string) => Promise<Readable>;
};

/**
 * What a finished extract returns. In "delta" mode only changed objects were
 * read: a changed group comes with its complete member list, and deletions are
 * not reported (neither LDAP nor SCIM can show them in a delta), so a periodic
 * full sync is what retires deleted objects.
 */
export type ExtractResult = {
  /** New per-object-type cursors to store after a successful sync. */
  cursors: Partial<Record<ObjectType, string>>;
  mode: "full" | "delta";
};

export interface Connector<C = unknown> {
  readonly type: ConnectorType;
  readonly label: string;
  /** Validates the settings (used by the API and the form). */
  readonly configSchema: z.ZodType<C>;
  /** Write-only settings, encrypted at rest by the caller, never shown back. */
  readonly secretFields: readonly string[];
  readonly capabilities: { objectTypes: readonly ObjectType[]; delta: boolean };
  /** Source attribute -> canonical field, per object type. */
  readonly defaultMapping: Partial<Record<ObjectType, Record<string, string>>>;
  /** The URLs these settings make the connector connect to, by setting path; checked against the network policy. */
  endpoints?(config: C): { path: string; url: string }[];
  /** Checks that the source answers with these settings; throws ConnectorError with the exact failure. */
  test(config: C, signal?: AbortSignal): Promise<{ summary: string; counts: Partial<Record<ObjectType, number>> }>;
  /** Streams pages; memory is bounded by the page size, not by the size of the source. */
  extract(config: C, opts: ExtractOptions): AsyncGenerator<ExtractPage, ExtractResult>;
}

export type ConnectorErrorKind = "auth" | "unreachable" | "config" | "protocol" | "rate_limited" | "bad_data";

/**
 * A failure to show the operator as is: the message is the server's or the
 * library's own text made readable, and never contains a secret.
 */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly kind: ConnectorErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ConnectorError";
  }
}

/** Readable text for anything thrown, so no message ever reads "[object Object]". */
export function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    // Node's happy-eyeballs connect fails with one error per address tried.
    return [...new Set(error.errors.map(errorText))].join("; ");
  }
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** How much of a remote party's own error text (a SCIM `detail`, an LDAP diagnostic) a message quotes. */
export const QUOTED_TEXT_MAX = 300;

/**
 * Text from the other side made safe to show: control and bidirectional
 * formatting characters removed, whitespace collapsed, at most `max`
 * characters. A server chooses these words, so they are capped and never
 * allowed to reorder or hide the rest of the message.
 */
export function shownText(text: string, max = QUOTED_TEXT_MAX): string {
  const plain = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

/** Replaces every occurrence of a secret value, so a server echoing it back cannot leak it. */
export function scrubSecrets(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("********");
  }
  return out;
}
