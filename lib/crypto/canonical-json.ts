/**
 * Canonical JSON (RFC 8785, JCS): the one byte form of a value that ledger
 * entry hashes and checkpoint signatures are computed over, so that anyone can
 * recompute them from the JSON alone, whatever key order or number spelling
 * the JSON arrived in.
 */
import canonicalize from "canonicalize";

/**
 * RFC 8785 serialisation of `value`. Throws for values JCS cannot represent:
 * undefined, functions or symbols at the top level, NaN, ±Infinity, BigInt,
 * lone UTF-16 surrogates, circular references. As in JSON.stringify, object
 * members whose value is undefined are left out and undefined array items
 * become null, which is also what storing the value as JSON does to it.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new Error(`canonicalJson: value cannot be represented as RFC 8785 JSON (${detail})`);
  }
  if (text === undefined) {
    throw new Error(`canonicalJson: value cannot be represented as RFC 8785 JSON (${typeof value} has no JSON form)`);
  }
  return text;
}
