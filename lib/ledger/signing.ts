/**
 * Checkpoints (signed tree heads): an Ed25519 signature over a tenant's Merkle
 * root at a given tree size, so that a copy of the ledger, or a proof bundle cut
 * from it, can be checked against a key rather than against the database.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { publicKeyFromPem, spkiOf } from "@/lib/crypto/public-keys";
import { sha256Hex } from "@/lib/crypto/hash";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import { HEX_SHA256 } from "@/lib/ledger/entry";

export type CheckpointBody = {
  v: 1;
  tenantId: string;
  treeSize: number;
  /** Hex Merkle root of the tenant's first treeSize entries. */
  rootHash: string;
  createdAt: string;
  keyId: string;
};

/** signature: base64 Ed25519 over the UTF-8 bytes of canonicalJson(body). */
export type SignedCheckpoint = CheckpointBody & { signature: string };

export type SigningKey = { keyId: string; privateKeyPem: string; publicKeyPem: string };

export function generateSigningKey(): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    keyId: keyIdFromKey(publicKey),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** First 16 hex characters of SHA-256 of the key's DER SubjectPublicKeyInfo. Throws if it is not an Ed25519 public key. */
export function keyIdOf(publicKeyPem: string): string {
  return keyIdFromKey(ed25519PublicKey(publicKeyPem));
}

/** The signed fields of a checkpoint, and nothing else. */
export function checkpointBody(cp: CheckpointBody): CheckpointBody {
  return { v: cp.v, tenantId: cp.tenantId, treeSize: cp.treeSize, rootHash: cp.rootHash, createdAt: cp.createdAt, keyId: cp.keyId };
}

export function signCheckpoint(body: CheckpointBody, privateKeyPem: string): SignedCheckpoint {
  const problem = bodyProblem(body);
  if (problem) throw new Error(`signCheckpoint: ${problem}`);
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("signCheckpoint: the private key is not an Ed25519 key");
  const keyId = keyIdFromKey(createPublicKey(privateKey));
  if (body.keyId !== keyId) throw new Error(`signCheckpoint: body names key ${body.keyId} but the private key is ${keyId}`);
  const clean = checkpointBody(body);
  const signature = sign(null, Buffer.from(canonicalJson(clean), "utf8"), privateKey).toString("base64");
  return { ...clean, signature };
}

/** True only for a well-formed checkpoint whose keyId names this key and whose signature it made. Never throws. */
export function verifyCheckpointSignature(cp: SignedCheckpoint, publicKeyPem: string): boolean {
  try {
    if (cp === null || typeof cp !== "object" || bodyProblem(cp)) return false;
    if (typeof cp.signature !== "string") return false;
    const signature = Buffer.from(cp.signature, "base64");
    // Only the one canonical base64 spelling of the 64 signature bytes is accepted.
    if (signature.length !== 64 || signature.toString("base64") !== cp.signature) return false;
    const key = ed25519PublicKey(publicKeyPem);
    if (keyIdFromKey(key) !== cp.keyId) return false;
    return verify(null, Buffer.from(canonicalJson(checkpointBody(cp)), "utf8"), key, signature);
  } catch {
    return false;
  }
}

function ed25519PublicKey(publicKeyPem: string): KeyObject {
  if (typeof publicKeyPem !== "string" || !publicKeyPem.includes("-----BEGIN PUBLIC KEY-----")) {
    throw new Error("expected a PEM-encoded public key (-----BEGIN PUBLIC KEY-----)");
  }
  const key = publicKeyFromPem(publicKeyPem);
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`expected an Ed25519 public key, got ${key.asymmetricKeyType}`);
  return key;
}

function keyIdFromKey(publicKey: KeyObject): string {
  return sha256Hex(spkiOf(publicKey)).slice(0, 16);
}

function bodyProblem(body: CheckpointBody): string | null {
  if (body.v !== 1) return "v must be 1";
  if (typeof body.tenantId !== "string" || body.tenantId === "") return "tenantId must be a non-empty string";
  if (!Number.isSafeInteger(body.treeSize) || body.treeSize < 0) return "treeSize must be a non-negative integer";
  if (typeof body.rootHash !== "string" || !HEX_SHA256.test(body.rootHash)) return "rootHash must be 64 lowercase hex characters";
  if (typeof body.createdAt !== "string" || body.createdAt === "") return "createdAt must be a string";
  if (typeof body.keyId !== "string" || !/^[0-9a-f]{16}$/.test(body.keyId)) return "keyId must be 16 lowercase hex characters";
  return null;
}
