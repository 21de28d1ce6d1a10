/**
 * Secrets for the embedded defaults, generated on first start and kept in the
 * data folder (mode 0600) so restarts keep sessions, data and passwords.
 */
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";

export type LocalSecrets = {
  postgresPassword: string;
  appDbPassword: string;
  nextauthSecret: string;
  encryptionKey: string;
};

export function loadOrCreateLocalSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, "secrets.json");
  const existing: Partial<LocalSecrets> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  const secrets: LocalSecrets = {
    postgresPassword: existing.postgresPassword ?? randomBytes(18).toString("base64url"),
    appDbPassword: existing.appDbPassword ?? randomBytes(18).toString("base64url"),
    nextauthSecret: existing.nextauthSecret ?? randomBytes(32).toString("base64url"),
    encryptionKey: existing.encryptionKey ?? randomBytes(32).toString("hex"),
  };
  if (JSON.stringify(existing) !== JSON.stringify(secrets)) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}
