/** Shared plumbing for the command-line tools: runtime, error reporting, exit codes. */
import { closeDb } from "@/db/client";
import { ConfigError } from "@/lib/config";
import { isAppError } from "@/lib/errors";
import { prepareRuntime } from "@/lib/runtime/bootstrap";

export async function runCli(main: () => Promise<void>): Promise<void> {
  let runtime: Awaited<ReturnType<typeof prepareRuntime>> | undefined;
  let code = 0;
  try {
    runtime = await prepareRuntime({ seedDemo: false, say: (l) => console.error(l) });
    await main();
  } catch (e) {
    code = 1;
    if (e instanceof ConfigError) console.error(e.message);
    else if (isAppError(e)) {
      console.error(`error: ${e.message}`);
      for (const [field, messages] of Object.entries(e.fieldErrors ?? {})) {
        console.error(`  --${field}: ${messages.join("; ")}`);
      }
    } else console.error(e instanceof Error ? `error: ${e.message}` : e);
  } finally {
    await closeDb();
    await runtime?.stop();
  }
  process.exit(code);
}

export function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}
