/**
 * The database connection used by the app (postgres.js + Drizzle). One pool
 * per process; kept on globalThis so dev-server reloads do not leak pools.
 *
 * Data access takes an `Executor`: the database or a transaction, one type
 * for both. The raw postgres.js client behind it (`db.$client`) is for what
 * Drizzle has no words for: COPY and LISTEN.
 */
import "server-only";
import postgres from "postgres";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { databaseSettings } from "@/lib/config";
import { isConnectionLost } from "./errors";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };
/** A transaction handle or the database itself: queries accept either. */
export type Executor = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

type Holder = { sql: postgres.Sql; db: Database; url: string };
const globalForDb = globalThis as unknown as { __syncledgerDb?: Holder };

export function createDatabase(url: string, options: postgres.Options<Record<string, never>> = {}) {
  const max = databaseSettings().DATABASE_POOL_MAX;
  const sql = postgres(url, { max, onnotice: () => {}, ...options });
  return { sql, db: drizzle(sql, { schema }) };
}

function holder(): Holder {
  const url = databaseSettings().DATABASE_URL;
  if (!url) {
    throw new Error("DATABASE_URL is not set: start the app with `npm run dev` / `npm start`, which provide it");
  }
  if (!globalForDb.__syncledgerDb || globalForDb.__syncledgerDb.url !== url) {
    globalForDb.__syncledgerDb = { ...createDatabase(url), url };
  }
  return globalForDb.__syncledgerDb;
}

export function getDb(): Database {
  return holder().db;
}

/**
 * The raw postgres.js client behind Drizzle, for COPY and LISTEN (and for
 * tests that look at rows directly). Drizzle makes it pass timestamps through
 * as strings and not serialise json/jsonb parameters: send jsonb as
 * `${JSON.stringify(v)}::jsonb`, in Drizzle's `sql` as well.
 */
export function getSql(): postgres.Sql {
  return holder().sql;
}

/**
 * The postgres.js client a database or transaction handle runs on, for the
 * few statements run thousands of times a second (an audit event's insert).
 * Its tagged templates are parsed and planned once per connection and then
 * only bound; Drizzle prepares only named queries, which a transaction cannot
 * share, and rebuilds a query's text on every call.
 */
export function clientOf(db: Executor): postgres.Sql {
  if ("$client" in db) return db.$client;
  // A Drizzle transaction keeps its postgres.js transaction on its session.
  const client = (db as unknown as { session?: { client?: postgres.Sql } }).session?.client;
  if (!client) throw new Error("clientOf: not a postgres.js database or transaction");
  return client;
}

export async function closeDb(): Promise<void> {
  const h = globalForDb.__syncledgerDb;
  globalForDb.__syncledgerDb = undefined;
  await h?.sql.end({ timeout: 5 });
}

/**
 * Runs a read again, once, when its connection to Postgres was lost (a database
 * restart closes every pooled connection; the pool reconnects on the next
 * statement). Only for work that changes nothing, or nothing a second run would
 * repeat: anything else must not be done twice.
 */
export async function retryReadOnLostConnection<T>(read: () => Promise<T>, pauseMs = 500): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (!isConnectionLost(e)) throw e;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    return read();
  }
}
