/**
 * `npm run dev` / `npm start`: prepares the runtime (database, migrations,
 * object store, demo data) and then runs Next with it.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { closeDb, getDb } from "@/db/client";
import { ConfigError } from "@/lib/config";
import { prepareRuntime } from "@/lib/runtime/bootstrap";
import { startWorker, type Worker } from "@/lib/syncs/worker";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const mode = process.argv[2] === "start" ? "start" : "dev";

async function main() {
  let runtime: Awaited<ReturnType<typeof prepareRuntime>>;
  try {
    runtime = await prepareRuntime();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  // In development the sync worker runs beside Next; in production it is its own process (npm run worker).
  let worker: Worker | undefined;
  if (mode === "dev" || process.env.RUN_WORKER === "1") {
    worker = startWorker({ db: getDb() });
    console.log(`Sync worker ${worker.id} started (use npm run worker for more).`);
  } else {
    await closeDb();
    console.log("Run `npm run worker` to process syncs.");
  }
  const next = path.join(process.cwd(), "node_modules", ".bin", "next");
  const env = { ...process.env, ...runtime.env, NODE_OPTIONS: withPeerAddress(process.env.NODE_OPTIONS) };
  const child = spawn(next, [mode, ...process.argv.slice(3)], { stdio: "inherit", env });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  child.on("exit", async (code) => {
    await worker?.stop();
    await closeDb();
    await runtime.stop();
    process.exit(code ?? 0);
  });
}

/**
 * Next cannot tell the app the socket's address, and keeps a forged
 * X-Forwarded-For; the preload records the peer before Next reads a request
 * (see scripts/peer-address.cjs and lib/http/request-meta.ts).
 */
export function withPeerAddress(nodeOptions: string | undefined): string {
  const preload = `--require=${path.join(process.cwd(), "scripts", "peer-address.cjs")}`;
  return [nodeOptions, preload].filter(Boolean).join(" ");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
