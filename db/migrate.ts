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

/** Tables no role may change or empty: row and statement triggers refuse UPDATE, DELETE and TRUNCATE. */
export const APPEND_ONLY_TABLES = ["audit_events", "platform_audit_events", "ledger_entries", "ledger_checkpoints", "ledger_keys"] as const;

/** Tables the app may read and add to but not change; evidence is never edited, and only the sealer clears the queue. */
export const APP_INSERT_ONLY_TABLES = ["evidence_records", "evidence_files", "ledger_queue"] as const;

/** Tables the app may only read: the sealer writes them through SEALER_FUNCTIONS. */
export const SEALER_TABLES = ["ledger_keys", "ledger_checkpoints", "ledger_cosignatures", "ledger_witness_state"] as const;

/** SECURITY DEFINER functions (db/migrations/0012_sealer_functions.sql, 0031_ledger_witness_functions.sql), the app role's only write path to SEALER_TABLES. */
export const SEALER_FUNCTIONS = [
  "ledger_register_key(text, text)",
  "ledger_append_checkpoint(uuid, bigint, text, text, text, text, text, text)",
  "ledger_dequeue(uuid, bigint[])",
  "ledger_record_cosignature(uuid, text, text, bigint, bigint, text)",
  "ledger_record_witness_error(uuid, text, text, text)",
] as const;

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

export function assertIdentifier(role: string): void {
  if (!identifier.test(role)) throw new Error(`invalid role name: ${role}`);
}

/**
 * Creates (or updates the password of) a login role that is neither a
 * superuser nor exempt from row security. Needs a connection that may create
 * roles, which the schema owner deliberately may not.
 */
export async function ensureLoginRole(adminUrl: string, role: string, password: string): Promise<void> {
  assertIdentifier(role);
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ exists }] = await sql<{ exists: boolean }[]>`
      select exists(select 1 from pg_roles where rolname = ${role}) as exists`;
    const escaped = password.replace(/'/g, "''");
    const attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";
    await sql.unsafe(`${exists ? "ALTER" : "CREATE"} ROLE ${role} WITH ${attributes} PASSWORD '${escaped}'`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Grants the app's role what it needs, as the schema owner: everything on
 * ordinary tables, SELECT and INSERT on append-only and insert-only tables,
 * SELECT on the sealer's tables and EXECUTE on the sealer's functions.
 * Safe to repeat; run after every migration so new tables are covered.
 */
export async function grantAppPrivileges(ownerUrl: string, role: string): Promise<void> {
  assertIdentifier(role);
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ db }] = await sql<{ db: string }[]>`select current_database() as db`;
    await sql.begin(async (tx) => {
      await tx.unsafe(`GRANT CONNECT ON DATABASE "${db}" TO ${role}`);
      await tx.unsafe(`GRANT USAGE ON SCHEMA public TO ${role}`);
      await tx.unsafe(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
      await tx.unsafe(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
      for (const table of [...APPEND_ONLY_TABLES, ...APP_INSERT_ONLY_TABLES]) {
        await tx.unsafe(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM ${role}`);
      }
      for (const table of SEALER_TABLES) await tx.unsafe(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ${table} FROM ${role}`);
      for (const fn of SEALER_FUNCTIONS) await tx.unsafe(`GRANT EXECUTE ON FUNCTION ${fn} TO ${role}`);
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}
