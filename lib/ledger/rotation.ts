/**
 * Key rotation statements. A new checkpoint signing key counts only when the
 * key before it vouched for it: the old key signs a short text naming both
 * keys and carrying the new public key. A verifier who pinned one key can then
 * follow the statements forward and trust exactly the keys reachable from it,
 * whatever else someone with database access put into ledger_keys.
 *
 * Text (UTF-8, every line ends in "\n"):
 *   syncledger-key-rotation/v1
 *   old <old key id>
 *   new <new key id>
 *   new-key <base64 DER SubjectPublicKeyInfo of the new key, one line>
 *   time <ISO 8601 UTC>
 * The signature is base64 Ed25519 by the old key over exactly those bytes.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { publicKeyFromPem, spkiOf } from "@/lib/crypto/public-keys";
import { keyIdOf } from "./signing";
import { parseVerifierKey } from "./note";

export const ROTATION_FORMAT = "syncledger-key-rotation/v1";

export type RotationStatement = { oldKeyId: string; newKeyId: string; newPublicKeyPem: string; time: string };
export type SignedRotation = RotationStatement & { statement: string; signature: string };
/** A ledger_keys row as verifiers read it. */
export type KeyRecord = { keyId: string; publicKeyPem: string; rotationStatement?: string | null; rotationSignature?: string | null };

export class RotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RotationError";
  }
}

const KEY_ID = /^[0-9a-f]{16}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function derToPem(der: Buffer): string {
  return createPublicKey({ key: der, format: "der", type: "spki" }).export({ format: "pem", type: "spki" }).toString();
}

function pemToDer(pem: string): Buffer {
  return spkiOf(publicKeyFromPem(pem));
}

function ed25519Private(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== "ed25519") throw new RotationError("rotation statements are signed with an Ed25519 key");
  return key;
}

/** Signs, with the old private key, the statement that hands signing over to the new public key. */
export function makeRotationStatement(oldPrivateKeyPem: string, newPublicKeyPem: string, time: Date = new Date()): SignedRotation {
  const oldKey = ed25519Private(oldPrivateKeyPem);
  const oldKeyId = keyIdOf(createPublicKey(oldKey).export({ format: "pem", type: "spki" }).toString());
  const newKeyId = keyIdOf(newPublicKeyPem);
  if (oldKeyId === newKeyId) throw new RotationError("the new key is the old key: nothing to rotate");
  const statement =
    `${ROTATION_FORMAT}\nold ${oldKeyId}\nnew ${newKeyId}\n` +
    `new-key ${pemToDer(newPublicKeyPem).toString("base64")}\ntime ${time.toISOString()}\n`;
  const signature = sign(null, Buffer.from(statement, "utf8"), oldKey).toString("base64");
  return { oldKeyId, newKeyId, newPublicKeyPem: derToPem(pemToDer(newPublicKeyPem)), time: time.toISOString(), statement, signature };
}

/** Reads a statement's fields; throws RotationError naming what is wrong. Does not check the signature. */
export function parseRotationStatement(statement: string): RotationStatement {
  if (typeof statement !== "string" || !statement.endsWith("\n")) throw new RotationError("a rotation statement ends in a newline");
  const lines = statement.slice(0, -1).split("\n");
  if (lines.length !== 5 || lines[0] !== ROTATION_FORMAT) {
    throw new RotationError(`a rotation statement is "${ROTATION_FORMAT}" and four lines: old, new, new-key, time`);
  }
  const field = (line: string, name: string) => {
    if (!line.startsWith(`${name} `)) throw new RotationError(`expected a "${name}" line, found "${line.slice(0, 40)}"`);
    return line.slice(name.length + 1);
  };
  const oldKeyId = field(lines[1], "old");
  const newKeyId = field(lines[2], "new");
  const keyB64 = field(lines[3], "new-key");
  const time = field(lines[4], "time");
  if (!KEY_ID.test(oldKeyId) || !KEY_ID.test(newKeyId)) throw new RotationError("key ids are 16 lowercase hex characters");
  if (!ISO_UTC.test(time)) throw new RotationError("the time is an ISO 8601 UTC time");
  const der = Buffer.from(keyB64, "base64");
  if (der.toString("base64") !== keyB64) throw new RotationError("the new key is not one line of base64");
  let newPublicKeyPem: string;
  try {
    newPublicKeyPem = derToPem(der);
  } catch {
    throw new RotationError("the new key is not a DER public key");
  }
  if (keyIdOf(newPublicKeyPem) !== newKeyId) throw new RotationError(`the new key's id is ${keyIdOf(newPublicKeyPem)}, not ${newKeyId}`);
  return { oldKeyId, newKeyId, newPublicKeyPem, time };
}

/** The statement's fields when the old key (its public half) signed it and it names that key as old; else null. Never throws. */
export function verifyRotationStatement(statement: string, signature: string, oldPublicKeyPem: string): RotationStatement | null {
  try {
    const parsed = parseRotationStatement(statement);
    if (keyIdOf(oldPublicKeyPem) !== parsed.oldKeyId) return null;
    const sig = Buffer.from(signature, "base64");
    if (sig.length !== 64 || sig.toString("base64") !== signature) return null;
    return verify(null, Buffer.from(statement, "utf8"), publicKeyFromPem(oldPublicKeyPem), sig) ? parsed : null;
  } catch {
    return null;
  }
}

/** A pinned key given as a PEM public key or as a signed-note verifier key (`<name>+<hash>+<key>`), as PEM. */
export function pinnedKeyPem(pinned: string): string {
  if (pinned.includes("-----BEGIN PUBLIC KEY-----")) return derToPem(pemToDer(pinned));
  return parseVerifierKey(pinned.trim()).key.export({ format: "pem", type: "spki" }).toString();
}

/**
 * The keys a verifier who pinned one key may trust: the pinned key and every
 * key reachable from it through statements each signed by an already trusted
 * key, naming it as old and this row's key (the same bytes) as new. Keys with
 * no statement, a forged one, or one from an untrusted key are left out.
 * Returns key id → public key PEM, in the order they became trusted.
 */
export function trustedPublicKeys(pinnedPublicKey: string, keys: KeyRecord[]): Map<string, string> {
  const pinnedPem = pinnedKeyPem(pinnedPublicKey);
  const trusted = new Map<string, string>([[keyIdOf(pinnedPem), pinnedPem]]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const k of keys) {
      if (trusted.has(k.keyId) || !k.rotationStatement || !k.rotationSignature) continue;
      let parsed: RotationStatement;
      try {
        parsed = parseRotationStatement(k.rotationStatement);
        if (parsed.newKeyId !== k.keyId || keyIdOf(k.publicKeyPem) !== k.keyId) continue;
        if (!pemToDer(parsed.newPublicKeyPem).equals(pemToDer(k.publicKeyPem))) continue;
      } catch {
        continue;
      }
      const oldPem = trusted.get(parsed.oldKeyId);
      if (!oldPem || !verifyRotationStatement(k.rotationStatement, k.rotationSignature, oldPem)) continue;
      trusted.set(k.keyId, derToPem(pemToDer(k.publicKeyPem)));
      grew = true;
    }
  }
  return trusted;
}

/** Key ids reachable from the pinned key through valid rotation statements (the pinned key first). */
export function trustedKeys(pinnedPublicKey: string, keys: KeyRecord[]): string[] {
  return [...trustedPublicKeys(pinnedPublicKey, keys).keys()];
}
