/** Vitest global setup for integration tests: one real Postgres for the run. */
import type { TestProject } from "vitest/node";
import { startScratchDatabase } from "@/db/scratch";
import { newLedgerSigningKey } from "@/lib/runtime/local-secrets";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    ownerDatabaseUrl: string;
    superuserDatabaseUrl: string;
    ledgerSigningKey: string;
  }
}

export default async function setup(project: TestProject) {
  const db = await startScratchDatabase();
  project.provide("databaseUrl", db.appUrl);
  project.provide("ownerDatabaseUrl", db.ownerUrl);
  project.provide("superuserDatabaseUrl", db.superuserUrl);
  // One key for every test file: the database accepts a second key only with a rotation statement from the first.
  project.provide("ledgerSigningKey", newLedgerSigningKey());
  return () => db.stop();
}
