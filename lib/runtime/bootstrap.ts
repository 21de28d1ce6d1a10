/**
 * Prepares everything the app needs before Next starts: validated
 * configuration, the database (embedded by default, migrated), the object
 * store folder, and on a fresh embedded database the demo tenant.
 */
import "server-only";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { startEmbeddedPostgres } from "@/db/embedded";
import { ensureLoginRole, grantAppPrivileges, migrateDatabase } from "@/db/migrate";
import { ConfigError, parseConfig, resetConfigCache } from "@/lib/config";
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
      ownerPassword: secrets.ownerDbPassword,
    });
    stop = pg.stop;
    ownerUrl = pg.ownerUrl;
    await migrateDatabase(ownerUrl);
    await ensureLoginRole(pg.superuserUrl, APP_DB_ROLE, secrets.appDbPassword);
    await grantAppPrivileges(ownerUrl, APP_DB_ROLE);
    env.DATABASE_URL = `postgres://${APP_DB_ROLE}:${encodeURIComponent(secrets.appDbPassword)}@127.0.0.1:${pg.port}/syncledger`;
    env.NEXTAUTH_SECRET = config.NEXTAUTH_SECRET ?? secrets.nextauthSecret;
    env.ENCRYPTION_KEY = config.ENCRYPTION_KEY ?? secrets.encryptionKey;
    env.LEDGER_SIGNING_KEY = config.LEDGER_SIGNING_KEY ?? secrets.ledgerSigningKey;
  } else {
    const problems: string[] = [];
    if (!config.NEXTAUTH_SECRET) problems.push("NEXTAUTH_SECRET: is required when DATABASE_URL is set");
    if (!config.ENCRYPTION_KEY) problems.push("ENCRYPTION_KEY: is required when DATABASE_URL is set");
    if (!config.LEDGER_SIGNING_KEY)
      problems.push("LEDGER_SIGNING_KEY: is required when DATABASE_URL is set (npm run ledger:keygen prints one)");
    if (problems.length) throw new ConfigError(problems);
    ownerUrl = config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL!;
    await migrateDatabase(ownerUrl);
    await checkOwnDatabaseRoles(ownerUrl, config.DATABASE_URL!, say);
  }

  if (!config.S3_BUCKET) {
    const dir = path.resolve(config.OBJECT_STORE_DIR ?? path.join(dataDir, "objects"));
    fs.mkdirSync(dir, { recursive: true });
    env.OBJECT_STORE_DIR = dir;
  }
  env.NEXTAUTH_URL = config.NEXTAUTH_URL ?? `http://localhost:${config.PORT}`;
  Object.assign(process.env, env);
  // Modules imported before this point (the logger) may have read the configuration already.
  resetConfigCache();

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

/**
 * With your own PostgreSQL: warns when migrations run as a superuser (which
 * can switch the append-only triggers off), and when the app connects as a
 * role of its own, keeps that role's privileges in step with the schema (the
 * sealer's functions, tables it may only append to).
 */
async function checkOwnDatabaseRoles(ownerUrl: string, appUrl: string, say: (line: string) => void) {
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  let owner: { name: string; superuser: boolean };
  try {
    [owner] = await sql<{ name: string; superuser: boolean }[]>`
      select current_user as name, rolsuper as superuser from pg_roles where rolname = current_user`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  if (owner.superuser) {
    say(
      `Warning: migrations run as the superuser "${owner.name}", which can switch the append-only triggers off; use a schema owner that is not a superuser (see README).`,
    );
  }
  const appRole = decodeURIComponent(new URL(appUrl).username);
  if (!appRole || appRole === owner.name) return;
  if (!/^[a-z_][a-z0-9_]*$/.test(appRole)) {
    say(`Grant "${appRole}" its privileges yourself (see README): its name needs quoting.`);
    return;
  }
  await grantAppPrivileges(ownerUrl, appRole);
}
