/** `npm run db:migrate`: applies the committed migrations (embedded database unless DATABASE_URL is set). */
import { ConfigError } from "@/lib/config";
import { prepareRuntime } from "@/lib/runtime/bootstrap";

prepareRuntime({ seedDemo: false })
  .then(async (rt) => {
    console.log(`Migrations applied (${rt.embedded ? "embedded database" : "DATABASE_URL"}).`);
    await rt.stop();
  })
  .catch((e) => {
    console.error(e instanceof ConfigError ? e.message : e);
    process.exit(1);
  });
