/**
 * The canonical identity model every source is mapped onto, and the mapping
 * step itself: a per-object-type table "source attribute -> canonical field"
 * that the operator can edit, applied to each SourceRecord the same way
 * whatever connector produced it. Client-safe (no server imports), so the
 * mapping form validates with the same schema as the API.
 */
import "@/lib/zod-browser";
import { z } from "zod";
import type { ObjectType, SourceRecord } from "./types";

export { CANONICAL_FIELDS, type CanonicalField } from "@/lib/domain/enums";
import { CANONICAL_FIELDS } from "@/lib/domain/enums";

export type AccountStatus = "active" | "disabled";

const sourceAttribute = z.string().min(1, "Source attribute is empty").max(300);
const mappingFor = <T extends ObjectType>(type: T) =>
  z.record(sourceAttribute, z.enum(CANONICAL_FIELDS[type], { error: `Not a canonical ${type} field` })).optional();

/** Per object type: { sourceAttribute: canonicalField }, canonical field names checked. */
export const mappingConfigSchema = z.strictObject({
  account: mappingFor("account"),
  group: mappingFor("group"),
  role: mappingFor("role"),
  entitlement: mappingFor("entitlement"),
  membership: mappingFor("membership"),
});
export type MappingConfig = z.infer<typeof mappingConfigSchema>;

export type MappedRecord = {
  externalId: string;
  fields: Record<string, string | null>;
  /** The source attributes, kept so a changed mapping can be re-applied and evidence shows what the source said. */
  raw: Record<string, unknown>;
};

/**
 * Maps one record. Every mapped field is present in `fields` (null when the
 * source has no value), and `fields.externalId` (or, for memberships, the two
 * id fields) always is. A mapping onto "externalId" lets the operator choose
 * another stable identifier (e.g. employeeNumber); it wins when it has a value.
 *
 * Source attributes are paths: "name.givenName" reads a nested value, and SCIM
 * extension notation "urn:…:enterprise:2.0:User:department" reads inside the
 * extension object. Names match case-insensitively, as in LDAP and SCIM.
 * Multi-valued attributes give their primary (else first) value, and a SCIM
 * multi-valued complex value ({ value, primary }) gives its `value`.
 */
export function applyMapping(record: SourceRecord, mapping: Record<string, string>): MappedRecord {
  const fields: Record<string, string | null> = {};
  for (const [sourceAttr, field] of Object.entries(mapping)) {
    const value = toFieldValue(field, readPath(record.attributes, sourceAttr));
    fields[field] ??= value;
  }
  if (record.objectType === "membership") {
    fields.groupExternalId ??= toFieldValue("groupExternalId", record.attributes.groupExternalId);
    fields.memberExternalId ??= toFieldValue("memberExternalId", record.attributes.memberExternalId);
    return { externalId: record.externalId, fields, raw: record.attributes };
  }
  fields.externalId ??= record.externalId;
  return { externalId: fields.externalId, fields, raw: record.attributes };
}

/** Resolves an attribute path against nested attributes (see applyMapping). */
export function readPath(attributes: Record<string, unknown>, path: string): unknown {
  let current: unknown = attributes;
  let rest = path;
  while (rest !== "") {
    current = single(current);
    if (!isPlainObject(current)) return undefined;
    const next = longestKeyPrefix(current, rest);
    if (!next) return undefined;
    current = current[next.key];
    rest = next.rest;
  }
  return current;
}

/** The object's key that `path` starts with (whole segment), longest first so URN keys with dots and colons win. */
function longestKeyPrefix(obj: Record<string, unknown>, path: string): { key: string; rest: string } | undefined {
  const lower = path.toLowerCase();
  let best: { key: string; rest: string } | undefined;
  for (const key of Object.keys(obj)) {
    const k = key.toLowerCase();
    if (best && key.length <= best.key.length) continue;
    if (lower === k) best = { key, rest: "" };
    else if (lower.startsWith(`${k}.`) || (k.startsWith("urn:") && lower.startsWith(`${k}:`))) {
      best = { key, rest: path.slice(key.length + 1) };
    }
  }
  return best;
}

/** The value a multi-valued attribute stands for in a single-valued field: the primary one, else the first. */
function single(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.find((v) => isPlainObject(v) && v.primary === true) ?? value[0];
}

function toFieldValue(field: string, value: unknown): string | null {
  let v = single(value);
  if (isPlainObject(v) && "value" in v) v = v.value;
  if (field === "status") return toStatus(v);
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v === "" ? null : v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  return null;
}

const ACTIVE = new Set(["true", "active", "enabled", "1", "yes", "y"]);
const DISABLED = new Set(["false", "disabled", "inactive", "suspended", "locked", "0", "no", "n"]);

/** Sources say "active" many ways (SCIM `active: true`, CSV "enabled", "0"…); anything unknown is null, not a guess. */
function toStatus(value: unknown): AccountStatus | null {
  if (typeof value === "boolean") return value ? "active" : "disabled";
  const text = String(value ?? "")
    .trim()
    .toLowerCase();
  if (ACTIVE.has(text)) return "active";
  if (DISABLED.has(text)) return "disabled";
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}
