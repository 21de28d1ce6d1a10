/**
 * A migrated database of the run's Postgres for one test file alone, for tests
 * of install-wide state (signing keys, /api/health's ledger check) that other
 * files running at the same time would disturb. Points the app's DATABASE_URL
 * at it; the returned function drops it.
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
import { closeDb } from "@/db/client";
import { grantAppPrivileges, migrateDatabase } from "@/db/migrate";
import { prepareOwnedDatabase, withDatabase } from "@/db/owner";
import { resetConfigCache } from "@/lib/config";

export async function useOwnDatabase(prefix: string) {
  const name = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const ownerUrl = withDatabase(inject("ownerDatabaseUrl"), name);
  await prepareOwnedDatabase(inject("superuserDatabaseUrl"), { database: name, ownerPassword: new URL(ownerUrl).password });
  await migrateDatabase(ownerUrl);
  const appUrl = withDatabase(inject("databaseUrl"), name);
  await grantAppPrivileges(ownerUrl, new URL(appUrl).username);
  const sharedUrl = process.env.DATABASE_URL;
  process.env.DATABASE_URL = appUrl;
  resetConfigCache();
  return {
    ownerUrl,
    appUrl,
    async drop() {
      await closeDb();
      process.env.DATABASE_URL = sharedUrl;
      resetConfigCache();
      const superuser = postgres(withDatabase(inject("superuserDatabaseUrl"), "postgres"), { max: 1, onnotice: () => {} });
      try {
        await superuser.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await superuser.end({ timeout: 5 });
      }
    },
  };
}
