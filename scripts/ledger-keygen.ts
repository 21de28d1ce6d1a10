/**
 * npm run ledger:keygen — prints a new Ed25519 checkpoint signing key for
 * LEDGER_SIGNING_KEY, and its key id. To rotate, register it with
 * npm run ledger:rotate-key (the current key signs for it), then set the new
 * key and restart: new checkpoints name the new key, old ones keep verifying
 * with the old one.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { keyIdOf } from "@/lib/ledger/signing";
import { newLedgerSigningKey } from "@/lib/runtime/local-secrets";

const key = newLedgerSigningKey();
const publicKeyPem = createPublicKey(createPrivateKey({ key: Buffer.from(key, "base64"), format: "der", type: "pkcs8" }))
  .export({ format: "pem", type: "spki" })
  .toString();
console.error(`key id ${keyIdOf(publicKeyPem)}; public key:\n${publicKeyPem}`);
console.log(`LEDGER_SIGNING_KEY=${key}`);
