/**
 * npm run ledger:witness -- --data DIR --port N [--host ADDR] [--name NAME] [--log VKEY]...
 * Runs a C2SP tlog-witness for SyncLedger logs: meant for an auditor's machine,
 * with no access to the app's database. The logs it witnesses are the --log
 * verifier keys plus DIR/logs (one key per line, read on every request).
 * Prints `verifier key: <key>` once listening; exit code 2 on a usage error.
 */
import { parseArgs } from "node:util";
import { createWitnessServer, openWitness } from "@/lib/ledger/witness-server";

const usage = "usage: npm run ledger:witness -- --data DIR --port N [--host ADDR] [--name NAME] [--log LOG_VERIFIER_KEY]...";
let values: { data?: string; port?: string; host?: string; name?: string; log?: string[] };
try {
  ({ values } = parseArgs({
    options: {
      data: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      name: { type: "string" },
      log: { type: "string", multiple: true },
    },
  }));
} catch (e) {
  console.error(`error: ${(e as Error).message}\n${usage}`);
  process.exit(2);
}
const port = Number(values.port);
if (!values.data || !values.port || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`error: --data and --port (0–65535) are required\n${usage}`);
  process.exit(2);
}

let witness: Awaited<ReturnType<typeof openWitness>>;
try {
  witness = await openWitness(values.data, { name: values.name, logs: values.log });
  const logs = await witness.logs();
  const server = createWitnessServer(witness, { log: (line) => console.error(`${new Date().toISOString()} ${line}`) });
  server.listen(port, values.host ?? "0.0.0.0", () => {
    const address = server.address();
    const actual = typeof address === "object" && address ? address.port : port;
    console.log(`verifier key: ${witness.verifierKey}`);
    console.log(`listening on http://${values.host ?? "0.0.0.0"}:${actual} (${logs.size} log${logs.size === 1 ? "" : "s"} configured)`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
}
