/** `npm run worker`: a sync worker as its own process. Stops gracefully on SIGINT/SIGTERM. */
import { closeDb, getDb } from "@/db/client";
import { ConfigError } from "@/lib/config";
import { prepareRuntime } from "@/lib/runtime/bootstrap";
import { startWorker } from "@/lib/syncs/worker";

async function main() {
  const runtime = await prepareRuntime({ seedDemo: false });
  const worker = startWorker({ db: getDb() });
  console.log(`Sync worker ${worker.id} started.`);
  const stop = async () => {
    await worker.stop();
    await closeDb();
    await runtime.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
