/**
 * npm run bench:api — latency of the /api/v1 list endpoints under load, and
 * what that load does to a sync running meanwhile. Starts its own scratch
 * PostgreSQL and slapd, the built app (`next start`, run `npx next build`
 * first) and a sync worker as its own process (`scripts/worker.ts`), all on
 * 127.0.0.1; seeds a tenant with history (audit events, integrations with
 * earlier syncs, a large directory synced once) and an API key.
 *
 * Then: an unchanged full sync of the large directory with no load; BENCH_CLIENTS
 * (20) clients reading audit events, integrations, Sync History, a sync and a
 * sync's records for BENCH_IDLE_SECONDS (10) with no sync running; the same
 * clients while the same sync runs again, for at least BENCH_LOAD_SECONDS (30)
 * and at most 60 s. Prints p50/p95/p99 per endpoint and both sync durations.
 * Asserts nothing. BENCH_APP_NODE_ARGS passes node flags to the app (a CPU profile).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { freePort, startScratchDatabase } from "@/db/scratch";
import { newLedgerSigningKey } from "@/lib/runtime/local-secrets";
import { generateDirectoryLdif, startSlapd, writeLdif, type RunningSlapd } from "../tests/helpers/slapd";
import { startProcess, stopProcess, waitFor } from "./processes";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const LOAD_SECONDS = Math.min(60, Number(process.env.BENCH_LOAD_SECONDS ?? 30));
const MAX_LOAD_SECONDS = 60;
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 2_000);
const PER_GROUP = Number(process.env.BENCH_MEMBERS_PER_GROUP ?? 100);
const AUDIT_EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 20_000);
const SMALL_INTEGRATIONS = 12;

const n = (v: number) => v.toLocaleString("en");
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

type Endpoint = { name: string; path: string };
type Samples = Map<string, number[]>;

/** `clients` loops, each walking the endpoints in turn, until `until()` says stop; latencies per endpoint. */
async function load(baseUrl: string, key: string, endpoints: Endpoint[], clients: number, until: () => boolean) {
  const samples: Samples = new Map(endpoints.map((e) => [e.name, []]));
  let failures = 0;
  let firstFailure = "";
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = c; !until(); i++) {
        const e = endpoints[i % endpoints.length];
        const t0 = performance.now();
        const res = await fetch(`${baseUrl}${e.path}`, { headers: { authorization: `Bearer ${key}` } }).catch((err) => err as Error);
        if (res instanceof Error || !res.ok) {
          failures++;
          firstFailure ||= res instanceof Error ? res.message : `${e.path}: ${res.status} ${await res.text()}`;
          continue;
        }
        await res.arrayBuffer();
        samples.get(e.name)!.push(performance.now() - t0);
      }
    }),
  );
  return { samples, failures, firstFailure };
}

/** CPU milliseconds a process has used (Linux; NaN elsewhere): latency depends on what else the machine runs, this much less. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks at USER_HZ 100
  } catch {
    return NaN;
  }
}

function printLatencies(title: string, r: Awaited<ReturnType<typeof load>>, seconds: number, appCpuMs: number) {
  const total = [...r.samples.values()].reduce((a, s) => a + s.length, 0);
  console.log(
    `\n${title}: ${n(total)} requests in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)}/s), ${r.failures} failed; ` +
      `app CPU ${(appCpuMs / total).toFixed(2)} ms per request; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`,
  );
  if (r.firstFailure) console.log(`  first failure: ${r.firstFailure.slice(0, 300)}`);
  console.log(`  ${"endpoint".padEnd(34)} ${"requests".padStart(8)} ${"p50".padStart(9)} ${"p95".padStart(9)} ${"p99".padStart(9)}`);
  const all: number[] = [];
  for (const [name, values] of r.samples) {
    const sorted = [...values].sort((a, b) => a - b);
    all.push(...values);
    const ms = (p: number) => `${percentile(sorted, p).toFixed(1)} ms`.padStart(9);
    console.log(`  ${name.padEnd(34)} ${String(values.length).padStart(8)} ${ms(50)} ${ms(95)} ${ms(99)}`);
  }
  const sorted = all.sort((a, b) => a - b);
  const ms = (p: number) => `${percentile(sorted, p).toFixed(1)} ms`.padStart(9);
  console.log(`  ${"all".padEnd(34)} ${String(sorted.length).padStart(8)} ${ms(50)} ${ms(95)} ${ms(99)}`);
}

async function main() {
  if (!fs.existsSync(path.join(process.cwd(), ".next", "BUILD_ID")))
    throw new Error("bench:api runs the built app: run `npx next build` first.");
  const db = await startScratchDatabase();
  const objects = fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-bench-api-"));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: "production" as const,
    DATABASE_URL: db.appUrl,
    NEXTAUTH_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    NEXTAUTH_URL: baseUrl,
    ENCRYPTION_KEY: "be".repeat(32),
    LEDGER_SIGNING_KEY: newLedgerSigningKey(),
    OBJECT_STORE_DIR: objects,
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
    // The benchmark's directories listen on 127.0.0.1.
    CONNECTOR_ALLOWED_HOSTS: "127.0.0.1, *",
  };
  Object.assign(process.env, env);
  (await import("@/lib/config")).resetConfigCache();
  let slapd: RunningSlapd | undefined;
  let small: RunningSlapd | undefined;
  let app: ReturnType<typeof startProcess> | undefined;
  let worker: ReturnType<typeof startProcess> | undefined;
  const owner = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
  const { closeDb } = await import("@/db/client");
  try {
    const t0 = performance.now();
    slapd = await startSlapd();
    const ldif = path.join(objects, "directory.ldif");
    await writeLdif(ldif, generateDirectoryLdif({ users: USERS, groups: GROUPS, membershipsPerGroup: PER_GROUP }));
    await slapd.bulkLoad(ldif);
    fs.rmSync(ldif);
    small = await startSlapd();
    await small.addLdif([...generateDirectoryLdif({ users: 200, groups: 5, membershipsPerGroup: 20 })].join(""));
    console.log(`directories loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const { createTenant } = await import("@/lib/tenants/service");
    const { platformContext, systemContext } = await import("@/lib/auth/context");
    const { createIntegration } = await import("@/lib/integrations/service");
    const { createApiKey } = await import("@/lib/api-keys/service");
    const tenant = await createTenant(platformContext({ type: "system", name: "bench" }), { name: "Bench", slug: "bench" });
    const ctx = systemContext(tenant.id, "bench");
    const { secret: key } = await createApiKey(ctx, {
      name: "bench",
      scopes: ["audit_log:read", "integrations:read", "syncs:read", "syncs:run"],
    });
    const ldap = (s: RunningSlapd) => ({ url: s.url, bindDn: s.bindDn, bindPassword: s.bindPassword, baseDn: s.baseDn });
    for (let i = 0; i < SMALL_INTEGRATIONS; i++) {
      await createIntegration(ctx, { name: `Directory ${String(i + 1).padStart(2, "0")}`, connector: "ldap", config: ldap(small) });
    }
    const { integration: big } = await createIntegration(ctx, { name: "Large directory", connector: "ldap", config: ldap(slapd) });
    // History: audit events as the app records them (each chained into the ledger by its trigger).
    await owner.unsafe(`
      insert into audit_events (tenant_id, occurred_at, actor_type, actor_name, action, entity_type, entity_id, entity_name, details, ip)
      select '${tenant.id}', now() - (g * interval '30 seconds'), 'user', 'user' || (g % 50) || '@bench.test',
             'Update', 'Integration', g::text, 'Object ' || (g % 2000), 'Changed mapping ' || substr(md5(g::text), 1, 12),
             ('10.' || (g % 250) || '.' || (g % 200) || '.1')::inet
      from generate_series(1, ${AUDIT_EVENTS}) g`);

    worker = startProcess(
      path.join(process.cwd(), "node_modules", ".bin", "tsx"),
      ["--tsconfig", "tsconfig.scripts.json", "--max-semi-space-size=64", "scripts/worker.ts"],
      { ...env, DATABASE_MIGRATION_URL: db.ownerUrl },
      "worker",
    );
    // BENCH_APP_NODE_ARGS ("--cpu-prof --cpu-prof-dir=/tmp/prof") runs the app under node flags, to see where its time goes.
    const nodeArgs = process.env.BENCH_APP_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
    const nextArgs = ["start", "-p", String(port), "-H", "127.0.0.1"];
    const [command, args] = nodeArgs.length
      ? [process.execPath, [...nodeArgs, path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next"), ...nextArgs]]
      : [path.join(process.cwd(), "node_modules", ".bin", "next"), nextArgs];
    app = startProcess(
      command,
      args,
      {
        ...env,
        NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require=${path.join(process.cwd(), "scripts", "peer-address.cjs")}`]
          .filter(Boolean)
          .join(" "),
      },
      "next start",
    );
    await waitFor("the app", async () => (await fetch(`${baseUrl}/api/health`)).ok, 60_000, [app!]);

    const unfinished = async () =>
      Number((await owner`select count(*)::int as n from sync_executions where status in ('queued', 'syncing')`)[0].n);
    const ledgerBacklog = async () => Number((await owner`select count(*)::int as n from ledger_queue`)[0].n);
    const t1 = performance.now();
    await waitFor("the seeding syncs and the ledger", async () => (await unfinished()) === 0 && (await ledgerBacklog()) === 0, 600_000, [
      worker,
    ]);
    // A second round of small syncs, so Sync History has more than one page of kinds.
    for (const row of await owner`select id from integrations where tenant_id = ${tenant.id} and id <> ${big.id}`) {
      await fetch(`${baseUrl}/api/v1/integrations/${row.id}/syncs`, { method: "POST", headers: { authorization: `Bearer ${key}` } });
    }
    await waitFor("the second round", async () => (await unfinished()) === 0 && (await ledgerBacklog()) === 0, 600_000, [worker!]);
    const [bigSync] = await owner`
      select id, status, message, processed from sync_executions where integration_id = ${big.id} order by queued_at limit 1`;
    if (bigSync.status !== "post_sync_completed")
      throw new Error(`the large directory's first sync ended ${bigSync.status}: ${bigSync.message}`);
    await owner`analyze`;
    const [{ events }] = await owner`select count(*)::int as events from audit_events where tenant_id = ${tenant.id}`;
    const [{ syncs }] = await owner`select count(*)::int as syncs from sync_executions where tenant_id = ${tenant.id}`;
    console.log(
      `seeded in ${((performance.now() - t1) / 1000).toFixed(1)} s: ${n(events)} audit events, ${SMALL_INTEGRATIONS + 1} integrations, ${n(syncs)} syncs, ` +
        `large directory ${n(bigSync.processed)} records`,
    );

    /** Requests a full sync of the large directory and resolves with its wall time from claim to end. */
    const syncLarge = async () => {
      const res = await fetch(`${baseUrl}/api/v1/integrations/${big.id}/syncs`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ mode: "full" }),
      });
      const { data } = (await res.json()) as { data: { id: string } };
      let row: postgres.Row | undefined;
      await waitFor(
        "the large sync",
        async () => {
          [row] = await owner`
            select status, message, extract(epoch from ended_at - started_at) * 1000 as ms from sync_executions where id = ${data.id}`;
          return !["queued", "syncing"].includes(row!.status);
        },
        600_000,
        [worker!],
      );
      if (row!.status !== "post_sync_completed") throw new Error(`the large sync ended ${row!.status}: ${row!.message}`);
      return Number(row!.ms);
    };

    const endpoints: Endpoint[] = [
      { name: "GET /audit-events", path: "/api/v1/audit-events" },
      { name: "GET /integrations", path: "/api/v1/integrations" },
      { name: "GET /integrations/{id}/syncs", path: `/api/v1/integrations/${big.id}/syncs` },
      { name: "GET /syncs/{id}", path: `/api/v1/syncs/${bigSync.id}` },
      { name: "GET /syncs/{id}/log", path: `/api/v1/syncs/${bigSync.id}/log` },
    ];
    // Warm up: the first requests of each route compile and cache.
    await load(
      baseUrl,
      key,
      endpoints,
      2,
      (
        (end) => () =>
          Date.now() > end
      )(Date.now() + 3_000),
    );

    const quietMs = await syncLarge();
    console.log(
      `\nlarge sync (${n(bigSync.processed)} records, unchanged) with no load: ${(quietMs / 1000).toFixed(1)} s ` +
        `(load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`,
    );

    let start = Date.now();
    let cpu0 = cpuMs(app.child.pid);
    const idle = await load(baseUrl, key, endpoints, CLIENTS, () => Date.now() - start > IDLE_SECONDS * 1000);
    printLatencies(`${CLIENTS} clients, no sync running`, idle, (Date.now() - start) / 1000, cpuMs(app.child.pid) - cpu0);

    start = Date.now();
    cpu0 = cpuMs(app.child.pid);
    let syncDone = false;
    const loadedSync = syncLarge().finally(() => (syncDone = true));
    const busy = await load(
      baseUrl,
      key,
      endpoints,
      CLIENTS,
      () => (syncDone && Date.now() - start > LOAD_SECONDS * 1000) || Date.now() - start > MAX_LOAD_SECONDS * 1000,
    );
    printLatencies(`${CLIENTS} clients while the large sync runs`, busy, (Date.now() - start) / 1000, cpuMs(app.child.pid) - cpu0);
    const loadedMs = await loadedSync;
    console.log(
      `\nlarge sync with no load ${(quietMs / 1000).toFixed(1)} s, under ${CLIENTS} clients ${(loadedMs / 1000).toFixed(1)} s ` +
        `(${(loadedMs / quietMs).toFixed(2)}×)${loadedMs > MAX_LOAD_SECONDS * 1000 ? "; the load stopped before the sync ended" : ""}`,
    );
  } finally {
    await stopProcess(app);
    await stopProcess(worker);
    await owner.end();
    await closeDb();
    await slapd?.stop();
    await small?.stop();
    await db.stop();
    fs.rmSync(objects, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
