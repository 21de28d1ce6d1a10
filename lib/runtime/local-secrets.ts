/**
 * Secrets for the embedded defaults, generated on first start and kept in the
 * data folder (mode 0600) so restarts keep sessions, data and passwords.
 */
import fs from "node:fs";
import path from "node:path";
import { generateKeyPairSync, randomBytes } from "node:crypto";

export type LocalSecrets = {
  /** The embedded cluster's superuser, used only to bootstrap the owner role and database. */
  postgresPassword: string;
  /** The schema owner that migrations run as (added later: older data folders get one at next start). */
  ownerDbPassword: string;
  appDbPassword: string;
  nextauthSecret: string;
  encryptionKey: string;
  /** Ed25519 private key (PKCS#8 DER, base64) that signs ledger checkpoints. */
  ledgerSigningKey: string;
};

export function newLedgerSigningKey(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "der" }).toString("base64");
}

export function loadOrCreateLocalSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, "secrets.json");
  const existing: Partial<LocalSecrets> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  const secrets: LocalSecrets = {
    postgresPassword: existing.postgresPassword ?? randomBytes(18).toString("base64url"),
    ownerDbPassword: existing.ownerDbPassword ?? randomBytes(18).toString("base64url"),
    appDbPassword: existing.appDbPassword ?? randomBytes(18).toString("base64url"),
    nextauthSecret: existing.nextauthSecret ?? randomBytes(32).toString("base64url"),
    encryptionKey: existing.encryptionKey ?? randomBytes(32).toString("hex"),
    ledgerSigningKey: existing.ledgerSigningKey ?? newLedgerSigningKey(),
  };
  if (JSON.stringify(existing) !== JSON.stringify(secrets)) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}
