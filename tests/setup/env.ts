/** Points each integration test worker at the run's database and a private object-store folder. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.NEXTAUTH_SECRET ??= "test-secret-test-secret-test-secret-0123456789";
process.env.OBJECT_STORE_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-test-objects-"));
process.env.LOG_LEVEL ??= "silent";
process.env.PASSWORD_HASH_COST ??= "test";
process.env.LEDGER_SIGNING_KEY ??= inject("ledgerSigningKey");
// The configuration is read once per process (lib/config); a test that changes a variable later calls resetConfigCache().
process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
// slapd and the SCIM test server listen on 127.0.0.1, which connectors may not reach unless it is named.
process.env.CONNECTOR_ALLOWED_HOSTS ??= "127.0.0.1, *";
