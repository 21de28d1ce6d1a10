/** The database's liveness probe. */
import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "../client";

export async function pingDatabase(db: Executor) {
  await db.execute(sql`select 1`);
}
