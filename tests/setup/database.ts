/** Vitest global setup for integration tests: one real Postgres for the run. */
import type { TestProject } from "vitest/node";
import { startScratchDatabase } from "@/db/scratch";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    ownerDatabaseUrl: string;
    superuserDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const db = await startScratchDatabase();
  project.provide("databaseUrl", db.appUrl);
  project.provide("ownerDatabaseUrl", db.ownerUrl);
  project.provide("superuserDatabaseUrl", db.superuserUrl);
  return () => db.stop();
}
