/**
 * The list of connectors, and the rules for their secret settings shared by
 * the API and the UI: secrets are shown as a mask, and a form sent back with
 * the mask (or without the field) keeps the stored secret.
 */
import { csvConnector } from "./csv";
import { ldapConnector } from "./ldap";
import { scimConnector } from "./scim";
import { connectProblem, hostOf, hostProblem, policyFromEnv } from "./network-policy";
import { CONNECTOR_TYPES } from "@/lib/domain/enums";
import { ConnectorError, type Connector, type ConnectorType } from "./types";

export { CONNECTOR_TYPES } from "@/lib/domain/enums";

/** What a secret looks like whenever it is shown or sent back unchanged. */
export const SECRET_MASK = "********";

const connectors: Record<ConnectorType, Connector<unknown>> = {
  ldap: ldapConnector,
  scim: scimConnector,
  csv: csvConnector,
};

/** The connector for a type; its settings are `unknown` until its configSchema has parsed them. */
export function getConnector(type: ConnectorType): Connector<unknown> {
  const connector = connectors[type];
  if (!connector) throw new Error(`Unknown connector type "${String(type)}"`);
  return connector;
}

export function isConnectorType(value: unknown): value is ConnectorType {
  return typeof value === "string" && (CONNECTOR_TYPES as readonly string[]).includes(value);
}

/** A copy with every secret that has a value replaced by the mask; for responses and forms. */
export function redactSecrets<T extends Record<string, unknown>>(type: ConnectorType, config: T): T {
  const copy: Record<string, unknown> = { ...config };
  for (const field of getConnector(type).secretFields) {
    if (copy[field] !== undefined && copy[field] !== null && copy[field] !== "") copy[field] = SECRET_MASK;
  }
  return copy as T;
}

/**
 * The settings to save from an edit: a secret that is missing, empty or still
 * the mask keeps its stored value, so editing other fields never requires
 * re-typing (or ever re-sending) the secret. Parse the result with the
 * connector's configSchema before use.
 */
export function mergeSecrets(
  type: ConnectorType,
  incoming: Record<string, unknown>,
  stored: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...incoming };
  for (const field of getConnector(type).secretFields) {
    const value = merged[field];
    if (value === undefined || value === null || value === "" || value === SECRET_MASK) {
      if (stored?.[field] !== undefined) merged[field] = stored[field];
      else delete merged[field];
    }
  }
  return merged;
}

/** Settings whose host the network policy refuses, as field errors (`config.<path>`). */
export function endpointErrors(type: ConnectorType, config: unknown): Record<string, string[]> {
  const policy = policyFromEnv();
  const errors: Record<string, string[]> = {};
  for (const { path, url } of getConnector(type).endpoints?.(config) ?? []) {
    const problem = hostProblem(url, policy);
    if (problem) errors[`config.${path}`] = [problem];
  }
  return errors;
}

/** Right before connecting: refuses, as a ConnectorError, a host the network policy forbids (after DNS). */
export async function assertEndpointsAllowed(type: ConnectorType, config: unknown): Promise<void> {
  const policy = policyFromEnv();
  for (const { url } of getConnector(type).endpoints?.(config) ?? []) {
    const problem = await connectProblem(url, policy);
    if (problem) throw new ConnectorError(`Refused to connect: ${problem}`, "config");
  }
}

/** An endpoint URL in a form where two spellings of the same place compare equal (scheme, host, port, path). */
function endpointKey(url: string): string {
  try {
    const u = new URL(url);
    const host = hostOf(url);
    const port =
      u.port || ({ "ldap:": "389", "ldaps:": "636", "http:": "80", "https:": "443" } as Record<string, string>)[u.protocol] || "";
    return `${u.protocol}//${host}:${port}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return url;
  }
}

/** The places these settings connect to, by setting path; unreadable settings have none. */
function endpointKeys(type: ConnectorType, config: Record<string, unknown>): Map<string, string> {
  const parsed = getConnector(type).configSchema.safeParse(config);
  const list = parsed.success ? (getConnector(type).endpoints?.(parsed.data) ?? []) : [];
  return new Map(list.map(({ path, url }) => [path, endpointKey(url)]));
}

/**
 * A stored secret may only go where it went before: when an edit (or a
 * connection test of an existing integration) points the connector at another
 * scheme, host, port or path, every stored secret must be typed again, or the
 * token or bind password would be handed to whoever runs the new host.
 * Returns field errors (`config.<secret>`) for secrets the edit did not type.
 */
export function secretsToRetype(
  type: ConnectorType,
  incoming: Record<string, unknown>,
  storedConfig: Record<string, unknown>,
  storedSecrets: Record<string, unknown> | null | undefined,
): Record<string, string[]> {
  const before = endpointKeys(type, { ...storedConfig, ...(storedSecrets ?? {}) });
  const after = endpointKeys(type, mergeSecrets(type, incoming, storedSecrets));
  if (![...after].some(([path, key]) => before.get(path) !== key)) return {};
  const errors: Record<string, string[]> = {};
  for (const field of getConnector(type).secretFields) {
    const value = incoming[field];
    const typed = typeof value === "string" && value !== "" && value !== SECRET_MASK;
    if (!typed && storedSecrets?.[field] !== undefined) {
      errors[`config.${field}`] = ["Type it again: the address changed, and a stored secret is only sent to the address it was saved for"];
    }
  }
  return errors;
}
