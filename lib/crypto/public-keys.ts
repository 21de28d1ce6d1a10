/**
 * Public keys parsed once per process. Parsing a PEM or DER key
 * (createPublicKey) and exporting it again cost more than verifying an Ed25519
 * signature with it, and the ledger checks every checkpoint, signed note,
 * cosignature and rotation statement against the same few keys. KeyObjects are
 * immutable, so one can be shared; input that does not parse is never cached.
 */
import { createPublicKey, type KeyObject } from "node:crypto";

/** Enough for every key an install has; past it the cache starts again rather than grow. */
const MAX_KEYS = 1000;
const parsed = new Map<string, KeyObject>();
const spkiDer = new WeakMap<KeyObject, Buffer>();
const rawKeys = new WeakMap<KeyObject, Buffer>();

function remember(id: string, make: () => KeyObject): KeyObject {
  let key = parsed.get(id);
  if (!key) {
    key = make();
    if (parsed.size >= MAX_KEYS) parsed.clear();
    parsed.set(id, key);
  }
  return key;
}

/** createPublicKey(pem), once per distinct PEM text. */
export function publicKeyFromPem(pem: string): KeyObject {
  return remember(`pem:${pem}`, () => createPublicKey(pem));
}

/** createPublicKey of a DER SubjectPublicKeyInfo, once per distinct key. */
export function publicKeyFromSpki(der: Buffer): KeyObject {
  return remember(`der:${der.toString("base64")}`, () => createPublicKey({ key: der, format: "der", type: "spki" }));
}

/** The key's DER SubjectPublicKeyInfo. */
export function spkiOf(key: KeyObject): Buffer {
  let der = spkiDer.get(key);
  if (!der) {
    der = key.export({ type: "spki", format: "der" });
    spkiDer.set(key, der);
  }
  return der;
}

/** The 32 bytes of an Ed25519 public key (RFC 8032), as signed notes and cosignatures name it. */
export function rawEd25519(key: KeyObject): Buffer {
  let raw = rawKeys.get(key);
  if (!raw) {
    raw = Buffer.from(key.export({ format: "jwk" }).x as string, "base64url");
    rawKeys.set(key, raw);
  }
  return raw;
}
