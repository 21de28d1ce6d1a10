/**
 * The checkpoint signing key. The private half comes from configuration
 * (LEDGER_SIGNING_KEY, generated into .data/ by the embedded defaults); the
 * public half of every key ever used is kept in ledger_keys, so checkpoints
 * signed before a rotation still verify. A checkpoint names its key by id.
 * Every key after the first is accepted only with a rotation statement signed
 * by the key before it (lib/ledger/rotation.ts).
 */
import "server-only";
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import type { Executor } from "@/db/client";
import { insertLedgerKey, listLedgerKeys } from "@/db/queries/ledger";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { keyIdOf } from "./signing";
import { makeRotationStatement, parseRotationStatement, verifyRotationStatement, type KeyRecord, type SignedRotation } from "./rotation";

export type SigningKey = { keyId: string; privateKeyPem: string; publicKeyPem: string };

let cached: { source: string; key: SigningKey } | null = null;

export function currentSigningKey(): SigningKey {
  const source = getConfig().LEDGER_SIGNING_KEY;
  if (!source) throw new AppError("unavailable:ledger_key", "LEDGER_SIGNING_KEY is not set, so ledger checkpoints cannot be signed.");
  if (cached?.source === source) return cached.key;
  const key = parseSigningKey(source, "LEDGER_SIGNING_KEY");
  cached = { source, key };
  return key;
}

/** A signing key as LEDGER_SIGNING_KEY holds it (base64 PKCS#8 DER), or as a PKCS#8 PEM. */
export function parseSigningKey(source: string, name = "the key"): SigningKey {
  let privateKey: KeyObject;
  try {
    const text = source.trim();
    privateKey = text.includes("-----BEGIN")
      ? createPrivateKey(text)
      : createPrivateKey({ key: Buffer.from(text, "base64"), format: "der", type: "pkcs8" });
  } catch {
    throw new AppError("bad_request:ledger_key", `${name} is not a private key (base64 PKCS#8 as npm run ledger:keygen prints, or PEM).`);
  }
  if (privateKey.asymmetricKeyType !== "ed25519") throw new AppError("unavailable:ledger_key", `${name} is not an Ed25519 key.`);
  const privateKeyPem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const publicKeyPem = createPublicKey(privateKey).export({ format: "pem", type: "spki" }).toString();
  return { keyId: keyIdOf(publicKeyPem), privateKeyPem, publicKeyPem };
}

/**
 * Hands checkpoint signing from the old key to the new one: the old key signs
 * the rotation statement and the new key is registered with it. The old key
 * must be the newest registered key (registered bare here when there is none
 * yet). Then set LEDGER_SIGNING_KEY to the new key and restart.
 */
export async function rotateSigningKey(db: Executor, oldKey: SigningKey, newKey: SigningKey): Promise<SignedRotation> {
  const keys = await listLedgerKeys(db);
  if (keys.some((k) => k.keyId === newKey.keyId)) {
    throw new AppError("conflict:ledger_key", `Key ${newKey.keyId} is already registered; generate a new one with npm run ledger:keygen.`);
  }
  const current = currentRegisteredKey(keys);
  if (!current) await insertLedgerKey(db, oldKey.keyId, oldKey.publicKeyPem);
  else if (current.keyId !== oldKey.keyId) {
    throw new AppError(
      "conflict:ledger_key",
      `The old key ${oldKey.keyId} is not the current signing key ${current.keyId}: only the current key can hand over.`,
    );
  }
  const rotation = makeRotationStatement(oldKey.privateKeyPem, newKey.publicKeyPem);
  await insertLedgerKey(db, newKey.keyId, newKey.publicKeyPem, rotation);
  log.warn({ oldKeyId: oldKey.keyId, newKeyId: newKey.keyId }, "ledger signing key rotated");
  return rotation;
}

/** The key id this process has found registered (and acceptable) for its signing key. */
let registered: string | null = null;

/**
 * Records the current key's public half, through the checked function (the app
 * role holds no INSERT on ledger_keys). Only the first key of an install is
 * registered bare: a changed LEDGER_SIGNING_KEY is refused, and nothing is
 * signed with it, until `npm run ledger:rotate-key` has registered it with a
 * statement signed by the key before it. A key row that is not the first and
 * carries no valid statement (written around the function) is refused too.
 */
export async function registerCurrentKey(db: Executor): Promise<SigningKey> {
  const key = currentSigningKey();
  if (registered === key.keyId) return key;
  const keys = await listLedgerKeys(db);
  const row = keys.find((k) => k.keyId === key.keyId);
  if (!row) {
    const current = currentRegisteredKey(keys);
    if (current) refuse(key, `key ${key.keyId} has no rotation statement from the current key ${current.keyId}`);
    try {
      await insertLedgerKey(db, key.keyId, key.publicKeyPem);
    } catch (e) {
      if ((e as { code?: string }).code === "42501" || (e as { cause?: { code?: string } }).cause?.code === "42501") {
        refuse(key, `another key was registered first`);
      }
      throw e;
    }
  } else if (keys[0].keyId !== key.keyId) {
    const oldKeyId = row.rotationStatement ? safeOldKeyId(row.rotationStatement) : null;
    const previous = keys.find((k) => k.keyId === oldKeyId);
    const ok =
      previous &&
      row.rotationStatement &&
      row.rotationSignature &&
      verifyRotationStatement(row.rotationStatement, row.rotationSignature, previous.publicKeyPem)?.newKeyId === key.keyId;
    if (!ok) refuse(key, `key ${key.keyId} is registered without a valid rotation statement`);
  }
  registered = key.keyId;
  return key;
}

function safeOldKeyId(statement: string): string | null {
  try {
    return parseRotationStatement(statement).oldKeyId;
  } catch {
    return null;
  }
}

function refuse(key: SigningKey, why: string): never {
  log.error(
    { keyId: key.keyId },
    `LEDGER SIGNING STOPPED: ${why}. Checkpoints are not signed with this key. Run npm run ledger:rotate-key with the old and new keys, or restore the previous LEDGER_SIGNING_KEY.`,
  );
  throw new AppError(
    "unavailable:ledger_key",
    `LEDGER_SIGNING_KEY is not an accepted ledger key: ${why}. Register it with npm run ledger:rotate-key -- --old-key FILE --new-key FILE.`,
  );
}

/**
 * The key a rotation must start from, as ledger_register_key picks it: the
 * newest of the first key and the keys registered with a statement. `keys` oldest first.
 */
export function currentRegisteredKey<K extends KeyRecord>(keys: K[]): K | null {
  return keys.findLast((k, i) => i === 0 || k.rotationStatement) ?? null;
}

/** Public halves only, as bundles and verifiers without a pinned key use them. */
export async function knownPublicKeys(db: Executor): Promise<{ keyId: string; publicKeyPem: string }[]> {
  return (await listLedgerKeys(db)).map(({ keyId, publicKeyPem }) => ({ keyId, publicKeyPem }));
}

/** Every key with its rotation statement, as trustedKeys (lib/ledger/rotation.ts) reads them. */
export async function ledgerKeyRecords(db: Executor): Promise<KeyRecord[]> {
  return listLedgerKeys(db);
}
