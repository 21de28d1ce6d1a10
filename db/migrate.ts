/**
 * Applies the committed Drizzle migrations and the app role's privileges.
 * Runs with the owner's connection; the app itself connects as a role that
 * may only read and append to the append-only tables.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";

/** Tables the app may read and append to, but never change or remove. */
export const APPEND_ONLY_TABLES = ["audit_events", "ledger_entries", "ledger_checkpoints", "ledger_keys"] as const;

const here = path.dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_FOLDER = path.join(here, "migrations");

export async function migrateDatabase(ownerUrl: string): Promise<void> {
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const identifier = /^[a-z_][a-z0-9_]*$/;

/**
 * Creates (or updates the password of) the app's login role and grants it
 * what it needs: everything on ordinary tables, SELECT and INSERT only on the
 * append-only ones.
 */
export async function ensureAppRole(ownerUrl: string, role: string, password: string): Promise<void> {
  if (!identifier.test(role)) throw new Error(`invalid role name: ${role}`);
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ exists }] = await sql<{ exists: boolean }[]>`
      select exists(select 1 from pg_roles where rolname = ${role}) as exists`;
    const escaped = password.replace(/'/g, "''");
    await sql.unsafe(
      exists
        ? `ALTER ROLE ${role} WITH LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '${escaped}'`
        : `CREATE ROLE ${role} WITH LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '${escaped}'`,
    );
    const [{ db }] = await sql<{ db: string }[]>`select current_database() as db`;
    await sql.unsafe(`GRANT CONNECT ON DATABASE "${db}" TO ${role}`);
    await sql.unsafe(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await sql.unsafe(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await sql.unsafe(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    for (const table of APPEND_ONLY_TABLES) {
      await sql.unsafe(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM ${role}`);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
