/**
 * npm run bench:sync — a real slapd synced end to end into a real PostgreSQL,
 * through the code the worker runs: the first sync (every record new), then a
 * second full sync of the unchanged directory (every record compared), then
 * Sync Log pages of the big sync as the page reads them.
 *
 * Each shape runs on two databases: a fresh one, and one that already holds
 * history with stale statistics, as a real install does (earlier small syncs,
 * tables analysed while they were small, autovacuum off for them), so a plan
 * that only a fresh database makes fast shows here. Prints figures only.
 *
 * Shapes: 100,000 users / 5,000 groups × 100 members, and 20,000 users /
 * 10 groups × 2,000 members; BENCH_USERS, BENCH_GROUPS and
 * BENCH_MEMBERS_PER_GROUP run one shape of your own instead, BENCH_DATABASES
 * (fresh,history) picks the databases.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import postgres from "postgres";
import { startScratchDatabase } from "@/db/scratch";
import { generateDirectoryLdif, startSlapd, writeLdif, type RunningSlapd } from "../tests/helpers/slapd";

type Shape = { users: number; groups: number; perGroup: number };
type DatabaseKind = "fresh" | "history";
type RunFigures = { wall: number; records: number; timings: Record<string, number>; peakGrowthMb: number; cpuMs: number; gcMs: number };
type Figures = { first: RunFigures; second: RunFigures; logPages: Record<string, number> };

const SHAPES: Shape[] = process.env.BENCH_USERS
  ? [
      {
        users: Number(process.env.BENCH_USERS),
        groups: Number(process.env.BENCH_GROUPS ?? 10),
        perGroup: Number(process.env.BENCH_MEMBERS_PER_GROUP ?? 100),
      },
    ]
  : [
      { users: 100_000, groups: 5_000, perGroup: 100 },
      { users: 20_000, groups: 10, perGroup: 2_000 },
    ];
const DATABASES = (process.env.BENCH_DATABASES ?? "fresh,history").split(",") as DatabaseKind[];
/** Tables a sync reads and writes; in the history database their statistics are stale. */
const SYNC_TABLES = ["extracted_objects", "sync_records", "identity_overlay", "identity_states", "sync_executions", "ledger_queue"];
const PHASES = ["extract", "sourceWait", "compare", "stagingWait", "guard", "apply"] as const;

const seconds = (ms = 0) => `${(ms / 1000).toFixed(1)} s`;
const n = (v: number) => v.toLocaleString("en");
const describe = (s: Shape) => `${n(s.users)} users, ${n(s.groups)} groups × ${n(s.perGroup)} members`;

async function loadDirectory(shape: Shape, tmp: string): Promise<RunningSlapd> {
  const slapd = await startSlapd();
  const ldif = path.join(tmp, `directory-${shape.users}-${shape.groups}.ldif`);
  const t0 = performance.now();
  await writeLdif(ldif, generateDirectoryLdif({ users: shape.users, groups: shape.groups, membershipsPerGroup: shape.perGroup }));
  await slapd.bulkLoad(ldif);
  fs.rmSync(ldif);
  console.log(`  directory loaded into slapd in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return slapd;
}

async function benchDatabase(kind: DatabaseKind, big: RunningSlapd, small: RunningSlapd): Promise<Figures> {
  const db = await startScratchDatabase();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-bench-"));
  // The benchmark's directories run on this machine: loopback must be allowed by name.
  Object.assign(process.env, {
    DATABASE_URL: db.appUrl,
    ENCRYPTION_KEY: "ab".repeat(32),
    LOG_LEVEL: "silent",
    CONNECTOR_ALLOWED_HOSTS: "127.0.0.1,*",
  });
  // Each database of the run is a new scratch cluster: the configuration, read once per process, is read again.
  (await import("@/lib/config")).resetConfigCache();
  const { getDb, getSql, closeDb } = await import("@/db/client");
  const { createTenant } = await import("@/lib/tenants/service");
  const { platformContext, systemContext } = await import("@/lib/auth/context");
  const { createIntegration } = await import("@/lib/integrations/service");
  const { claimNextSync } = await import("@/db/queries/syncs");
  const { runSync } = await import("@/lib/syncs/engine");
  const { requestSync, listSyncLog } = await import("@/lib/syncs/service");
  const owner = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
  try {
    const tenant = await createTenant(platformContext({ type: "system", name: "bench" }), { name: "Bench", slug: "bench" });
    const ctx = systemContext(tenant.id);
    const ldap = (s: RunningSlapd) => ({ url: s.url, bindDn: s.bindDn, bindPassword: s.bindPassword, baseDn: s.baseDn });

    /** Claims and runs one queued sync in this process, as a worker does, sampling its memory. */
    const run = async (syncId: string): Promise<RunFigures> => {
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      let gcMs = 0;
      const gc = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) gcMs += e.duration;
      });
      gc.observe({ entryTypes: ["gc"] });
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const exec = await claimNextSync(getDb(), "bench");
      if (exec?.id !== syncId) throw new Error(`claimed ${exec?.id}, expected ${syncId}`);
      const timings: Record<string, number> = {};
      const status = await runSync(exec, {
        db: getDb(),
        workerId: "bench",
        signal: new AbortController().signal,
        onProgress: async () => {},
        timings,
      });
      const wall = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      gc.disconnect();
      clearInterval(sampler);
      const [row] = await getSql()`select counts, message from sync_executions where id = ${syncId}`;
      if (status !== "post_sync_completed") throw new Error(`sync ended ${status}: ${row.message}`);
      const counts = typeof row.counts === "string" ? JSON.parse(row.counts) : row.counts;
      const records = Object.values(counts as Record<string, { extracted: number }>).reduce((a, c) => a + c.extracted, 0);
      return { wall, records, timings, peakGrowthMb: (peak - rssBefore) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000, gcMs };
    };

    if (kind === "history") {
      // An install that has been used: a few small syncs, statistics taken then, and
      // autovacuum off for the sync tables, so the planner still believes they are small.
      const { sync } = await createIntegration(ctx, { name: "Small LDAP", connector: "ldap", config: ldap(small) });
      await run(sync!.id);
      for (let i = 0; i < 2; i++) await run((await requestSync(ctx, sync!.integrationId, {})).sync.id);
      for (const table of SYNC_TABLES) {
        await owner.unsafe(`alter table ${table} set (autovacuum_enabled = false, toast.autovacuum_enabled = false)`);
        await owner.unsafe(`analyze ${table}`);
      }
      const [{ rows }] = await owner`select count(*)::int as rows from extracted_objects`;
      console.log(
        `  history: 3 syncs of a small directory (${n(rows)} staged rows), analysed, autovacuum off for ${SYNC_TABLES.join(", ")}`,
      );
    }

    const { sync } = await createIntegration(ctx, { name: "Bench LDAP", connector: "ldap", config: ldap(big) });
    const first = await run(sync!.id);
    const second = await run((await requestSync(ctx, sync!.integrationId, {})).sync.id);

    // Sync Log pages of the first sync, as the page and the API read them.
    const logPages: Record<string, number> = {};
    const page = async (title: string, filters: Record<string, unknown>) => {
      const t0 = performance.now();
      const result = await listSyncLog(ctx, sync!.id, filters);
      logPages[title] = performance.now() - t0;
      return result;
    };
    let p = await page("first page", {});
    for (let i = 0; i < 50 && p.next; i++) p = await page("page 50 (keyset)", { after: p.next });
    await page("created memberships", { outcome: "created", objectType: "membership" });
    await page("search", { q: "user01999" });
    return { first, second, logPages };
  } finally {
    await owner.end();
    await closeDb();
    await db.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function printRun(title: string, r: RunFigures) {
  const t = r.timings;
  console.log(
    `    ${title}: ${n(r.records)} records in ${r.wall.toFixed(1)} s = ${n(Math.round(r.records / r.wall))} records/s, RSS growth ${r.peakGrowthMb.toFixed(0)} MB, ` +
      `worker CPU ${seconds(r.cpuMs)} (GC ${seconds(r.gcMs)})`,
  );
  console.log(
    `      extract ${seconds(t.extract)} (source ${seconds(t.sourceWait)}, compare ${seconds(t.compare)}, staging ${seconds(t.stagingWait)}), ` +
      `drop guard ${seconds(t.guard)}, apply ${seconds(t.apply)}`,
  );
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-bench-dir-"));
  const small = await startSlapd();
  await small.addLdif([...generateDirectoryLdif({ users: 200, groups: 5, membershipsPerGroup: 20 })].join(""));
  const worst: string[] = [];
  try {
    for (const shape of SHAPES) {
      console.log(`\nShape: ${describe(shape)}`);
      const big = await loadDirectory(shape, tmp);
      const results: Partial<Record<DatabaseKind, Figures>> = {};
      try {
        for (const kind of DATABASES) {
          console.log(`  ${kind} database`);
          const f = (results[kind] = await benchDatabase(kind, big, small));
          printRun("first sync", f.first);
          printRun("second sync (unchanged)", f.second);
          console.log(
            `    Sync Log: ${Object.entries(f.logPages)
              .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
              .join(", ")}`,
          );
        }
      } finally {
        await big.stop();
      }
      const { fresh, history } = results;
      if (fresh && history) {
        for (const which of ["first", "second"] as const) {
          // Phases under half a second on both databases are left out: their ratio is noise.
          const ratios = PHASES.map((ph) => ({ ph, a: fresh[which].timings[ph] ?? 0, b: history[which].timings[ph] ?? 0 }))
            .filter((r) => Math.max(r.a, r.b) >= 500)
            .map((r) => ({ ...r, ratio: r.a > 0 ? r.b / r.a : Infinity }));
          const top = ratios.sort((x, y) => y.ratio - x.ratio)[0];
          const line =
            `${describe(shape)}, ${which} sync: fresh ${fresh[which].wall.toFixed(1)} s, history ${history[which].wall.toFixed(1)} s` +
            (top ? `; largest phase ratio history/fresh: ${top.ph} ${seconds(top.a)} → ${seconds(top.b)} (${top.ratio.toFixed(2)}×)` : "");
          worst.push(line);
        }
      }
    }
  } finally {
    await small.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (worst.length) console.log(`\nFresh against history:\n  ${worst.join("\n  ")}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
