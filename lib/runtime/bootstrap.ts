/**
 * Prepares everything the app needs before Next starts: validated
 * configuration, the database (embedded by default, migrated), the object
 * store folder, and on a fresh embedded database the demo tenant.
 */
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres } from "@/db/embedded";
import { ensureAppRole, migrateDatabase } from "@/db/migrate";
import { ConfigError, parseConfig } from "@/lib/config";
import { loadOrCreateLocalSecrets } from "./local-secrets";

export const APP_DB_ROLE = "syncledger_app";

export type Runtime = {
  /** Variables to hand to the app process. */
  env: Record<string, string>;
  embedded: boolean;
  ownerUrl: string;
  stop(): Promise<void>;
};

export async function prepareRuntime(options: { seedDemo?: boolean; say?: (line: string) => void } = {}): Promise<Runtime> {
  const say = options.say ?? ((line: string) => console.log(line));
  const config = parseConfig(process.env);
  const env: Record<string, string> = {};
  const dataDir = path.resolve(config.DATA_DIR);
  let stop = async () => {};
  let ownerUrl: string;
  const embedded = !config.DATABASE_URL;

  if (embedded) {
    const secrets = loadOrCreateLocalSecrets(dataDir);
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pg"),
      port: config.EMBEDDED_PG_PORT,
      password: secrets.postgresPassword,
    });
    stop = pg.stop;
    ownerUrl = pg.ownerUrl;
    await migrateDatabase(ownerUrl);
    await ensureAppRole(ownerUrl, APP_DB_ROLE, secrets.appDbPassword);
    env.DATABASE_URL = `postgres://${APP_DB_ROLE}:${encodeURIComponent(secrets.appDbPassword)}@127.0.0.1:${pg.port}/syncledger`;
    env.NEXTAUTH_SECRET = config.NEXTAUTH_SECRET ?? secrets.nextauthSecret;
    env.ENCRYPTION_KEY = config.ENCRYPTION_KEY ?? secrets.encryptionKey;
    env.LEDGER_SIGNING_KEY = config.LEDGER_SIGNING_KEY ?? secrets.ledgerSigningKey;
  } else {
    const problems: string[] = [];
    if (!config.NEXTAUTH_SECRET) problems.push("NEXTAUTH_SECRET: is required when DATABASE_URL is set");
    if (!config.ENCRYPTION_KEY) problems.push("ENCRYPTION_KEY: is required when DATABASE_URL is set");
    if (!config.LEDGER_SIGNING_KEY) problems.push("LEDGER_SIGNING_KEY: is required when DATABASE_URL is set (npm run ledger:keygen prints one)");
    if (problems.length) throw new ConfigError(problems);
    ownerUrl = config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL!;
    await migrateDatabase(ownerUrl);
  }

  if (!config.S3_BUCKET) {
    const dir = path.resolve(config.OBJECT_STORE_DIR ?? path.join(dataDir, "objects"));
    fs.mkdirSync(dir, { recursive: true });
    env.OBJECT_STORE_DIR = dir;
  }
  env.NEXTAUTH_URL = config.NEXTAUTH_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
  Object.assign(process.env, env);

  if (embedded && options.seedDemo !== false) {
    const { seedDemoIfEmpty } = await import("./seed-demo");
    const seeded = await seedDemoIfEmpty(config.DEMO_PASSWORD);
    if (seeded) {
      say(`Seeded the demo tenant "demo": admin@demo.test, operator@demo.test, auditor@demo.test, reviewer@demo.test, viewer@demo.test`);
      if (seeded.generated) say(`Demo password (shown once; set DEMO_PASSWORD to choose it): ${seeded.password}`);
    }
  }
  return { env, embedded, ownerUrl, stop };
}
