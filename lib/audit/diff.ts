/**
 * Field-level before/after for audit events. Nested objects are flattened to
 * dotted paths; secret-looking fields keep only the fact that they changed.
 */
import type { FieldChange } from "@/db/schema";

export const REDACTED = "[redacted]";
const SECRET_FIELD = /(password|passwd|secret|token|apikey|api_key|privatekey|private_key|credential|secrethash|bearer)/i;

export function isSecretField(path: string): boolean {
  const last = path.split(".").pop() ?? path;
  return SECRET_FIELD.test(last.replace(/[-\s]/g, ""));
}

type Flat = Map<string, unknown>;

function flatten(value: unknown, prefix: string, out: Flat): Flat {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, {});
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  if (prefix) out.set(prefix, value instanceof Date ? value.toISOString() : value);
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The changed fields between two versions of a record; null/undefined mean absent. */
export function diffRecords(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
): FieldChange[] {
  const a = flatten(before ?? {}, "", new Map());
  const b = flatten(after ?? {}, "", new Map());
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const was = a.has(field) ? a.get(field) : null;
    const now = b.has(field) ? b.get(field) : null;
    if (same(was, now)) continue;
    if (isSecretField(field)) {
      changes.push({ field, before: was == null ? null : REDACTED, after: now == null ? null : REDACTED });
    } else {
      changes.push({ field, before: was ?? null, after: now ?? null });
    }
  }
  return changes;
}
