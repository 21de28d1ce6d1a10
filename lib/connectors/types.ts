/**
 * The connector contract: every identity source (LDAP directory, SCIM service
 * provider, uploaded CSV files) is one module implementing `Connector`, so the
 * sync engine, the API and the settings form never know which protocol is
 * behind a source. Adding a source type is one new file plus its tests.
 */
import type { Readable } from "node:stream";
import type { z } from "zod";

import type { ConnectorType, ObjectType, ProvisioningAction, ProvisioningObjectType } from "@/lib/domain/enums";

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
  /** Writing to the source, for connectors that can (LDAP, SCIM); absent where operations are fulfilled another way. */
  readonly provisioner?: Provisioner<C>;
}

/**
 * One outbound operation as a connector receives it. Accounts are named by
 * their external id on the target when SyncLedger knows it (every action but
 * create), and always by username; attribute values are canonical fields
 * (CANONICAL_FIELDS.account) that the connector maps to its own names.
 */
export type ProvisionOperation = {
  /** The task's id: a correlation id the connector may send along. */
  taskId: string;
  objectType: ProvisioningObjectType;
  action: ProvisioningAction;
  account: { username: string; externalId?: string | null };
  /** create / update: canonical fields to set; null clears a field. */
  attributes?: Record<string, string | null>;
  /** create / update: groups to add the account to, and (update) to take it out of, by external id. */
  bindGroups?: string[];
  unbindGroups?: string[];
  /** grant / revoke: the group. */
  group?: { externalId: string; name?: string | null };
  /** The provisioning settings the connector's `settingsSchema` accepted (an LDAP disable strategy…). */
  settings: Record<string, unknown>;
};

/**
 * What an operation did. `request` is the outgoing payload with secrets
 * masked, `response` the target's answer (the engine caps its size), `steps`
 * the operation log in order, `bindings` the groups bound and unbound.
 */
export type ProvisionResult = {
  /** The account's external id on the target after the operation (a create's new id). */
  accountExternalId?: string | null;
  /** true when the target already was in the requested state, so nothing was written. */
  alreadyApplied?: boolean;
  request: { method?: string; url?: string; body?: unknown; summary?: string };
  response: { status?: number | string; body?: unknown };
  steps: string[];
  bindings?: { bound: { externalId: string; name?: string | null }[]; unbound: { externalId: string; name?: string | null }[] };
};

/**
 * A connector's write side. `apply` must be safe to call again for the same
 * operation: it reads the target's state first, so a task resumed after its
 * worker died finds the account it already created instead of creating it
 * twice, and a revoke of a membership that is gone succeeds as already
 * applied. Failures throw ConnectorError: `unreachable` and `rate_limited`
 * are retried with backoff (honouring `retryAfterMs`), every other kind fails
 * the task with the target's own message.
 */
export interface Provisioner<C = unknown> {
  /** The actions this target supports, per object type. */
  readonly actions: Partial<Record<ProvisioningObjectType, readonly ProvisioningAction[]>>;
  /** Connector-specific provisioning settings (LDAP: where accounts are created, how one is disabled…). */
  readonly settingsSchema: z.ZodType<Record<string, unknown>>;
  apply(config: C, op: ProvisionOperation, signal?: AbortSignal): Promise<ProvisionResult>;
}

export type ConnectorErrorKind = "auth" | "unreachable" | "config" | "protocol" | "rate_limited" | "bad_data" | "not_found" | "rejected";
/** Failures worth trying again later; the others are the target's final word. */
export const TRANSIENT_ERROR_KINDS: readonly ConnectorErrorKind[] = ["unreachable", "rate_limited"];

/**
 * A failure to show the operator as is: the message is the server's or the
 * library's own text made readable, and never contains a secret.
 */
export class ConnectorError extends Error {
  /** For rate_limited: how long the target asked to wait (Retry-After). */
  readonly retryAfterMs?: number;
  constructor(
    message: string,
    readonly kind: ConnectorErrorKind,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.name = "ConnectorError";
    this.retryAfterMs = options?.retryAfterMs;
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
