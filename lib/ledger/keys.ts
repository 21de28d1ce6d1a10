/**
 * The checkpoint signing key. The private half comes from configuration
 * (LEDGER_SIGNING_KEY, generated into .data/ by the embedded defaults); the
 * public half of every key ever used is kept in ledger_keys, so checkpoints
 * signed before a rotation still verify. A checkpoint names its key by id.
 */
import "server-only";
import { createPrivateKey, createPublicKey } from "node:crypto";
import type { Executor } from "@/db/client";
import { insertLedgerKey, listLedgerKeys } from "@/db/queries/ledger";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { keyIdOf } from "./signing";

export type SigningKey = { keyId: string; privateKeyPem: string; publicKeyPem: string };

let cached: { source: string; key: SigningKey } | null = null;

export function currentSigningKey(): SigningKey {
  const source = getConfig().LEDGER_SIGNING_KEY;
  if (!source) throw new AppError("unavailable:ledger_key", "LEDGER_SIGNING_KEY is not set, so ledger checkpoints cannot be signed.");
  if (cached?.source === source) return cached.key;
  const privateKey = createPrivateKey({ key: Buffer.from(source, "base64"), format: "der", type: "pkcs8" });
  if (privateKey.asymmetricKeyType !== "ed25519") throw new AppError("unavailable:ledger_key", "LEDGER_SIGNING_KEY is not an Ed25519 key.");
  const privateKeyPem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const publicKeyPem = createPublicKey(privateKey).export({ format: "pem", type: "spki" }).toString();
  const key = { keyId: keyIdOf(publicKeyPem), privateKeyPem, publicKeyPem };
  cached = { source, key };
  return key;
}

/** Records the current key's public half (once), through the checked function: the app role holds no INSERT on ledger_keys. */
export async function registerCurrentKey(db: Executor): Promise<SigningKey> {
  const key = currentSigningKey();
  await insertLedgerKey(db, key.keyId, key.publicKeyPem);
  return key;
}

export async function knownPublicKeys(db: Executor): Promise<{ keyId: string; publicKeyPem: string }[]> {
  return listLedgerKeys(db);
}
