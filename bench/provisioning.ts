/**
 * npm run bench:provisioning — provisioning throughput against real targets,
 * and the Synchronization Logs list over a million tasks. Starts its own
 * scratch PostgreSQL, slapd and SCIM server on 127.0.0.1, and the workers as
 * their own processes (`scripts/worker.ts`, as deployed: each runs its task
 * lanes and seals the ledger).
 *
 * Throughput: per target (slapd, SCIM) and per worker count (1, 4), a fresh
 * target with BENCH_GROUPS (100) groups, then BENCH_TASKS (10,000) account
 * creations plus as many group grants (account i joins group i mod groups)
 * queued at once, as a batch upload queues them. Prints tasks/s from the
 * first enqueue to the last success, and p50/p95 enqueue-to-success latency
 * (under that backlog, so p95 is close to the drain time); then BENCH_TRICKLE
 * (200) grants queued one at a time, 25 ms apart, on idle workers: the
 * latency of a single operation.
 *
 * List: BENCH_LIST_TASKS (1,000,000) tasks of one tenant bulk-inserted with
 * generate_series over 10 integrations, on a table analysed while it held
 * only another tenant's 10,000 tasks, with autovacuum off (stale statistics:
 * the planner knows nothing of this tenant), and again after ANALYZE; the Synchronization Logs
 * service call (lib/provisioning/service.ts listTasks) unfiltered, by status
 * and by source, first page and a page 50,000 rows deep: p50/p95 of
 * BENCH_LIST_ROUNDS (100) calls each, measured in the server process.
 *
 * BENCH_PARTS (throughput,list), BENCH_TARGETS (slapd,scim) and BENCH_WORKERS
 * (1,4) pick what runs; BENCH_EXPLAIN=1 prints each list statement's plan
 * (EXPLAIN ANALYZE), BENCH_SAMPLE=1 what the database was busy with during
 * each throughput run, BENCH_LOG_DIR keeps the workers' output there. Prints figures only.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startScratchDatabase } from "@/db/scratch";
import { newLedgerSigningKey } from "@/lib/runtime/local-secrets";
import { startScimServer, type RunningScimServer } from "../tests/helpers/scim-server";
import { BASE_DN, GROUPS_DN, PEOPLE_DN, startSlapd, type RunningSlapd } from "../tests/helpers/slapd";
import { cpuMs, cpuOf, pidsNaming, sampleStatements, startProcess, stopProcess, waitFor } from "./processes";

const PARTS = (process.env.BENCH_PARTS ?? "throughput,list").split(",");
const TARGETS = (process.env.BENCH_TARGETS ?? "slapd,scim").split(",") as ("slapd" | "scim")[];
const WORKERS = (process.env.BENCH_WORKERS ?? "1,4").split(",").map(Number);
const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 100);
const TRICKLE = Number(process.env.BENCH_TRICKLE ?? 200);
const LIST_TASKS = Number(process.env.BENCH_LIST_TASKS ?? 1_000_000);
const LIST_ROUNDS = Number(process.env.BENCH_LIST_ROUNDS ?? 100);
/** Rows the table held when it was last analysed, in the stale-statistics run. */
const STALE_ROWS = 10_000;
const DEEP_ROWS = 50_000;
const EXPLAIN = process.env.BENCH_EXPLAIN === "1";
const SAMPLE = process.env.BENCH_SAMPLE === "1";

const n = (v: number) => v.toLocaleString("en");
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 0)} ms`;

type Env = NodeJS.ProcessEnv & { DATABASE_URL: string };

async function main() {
  const db = await startScratchDatabase();
  const objects = fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-bench-provisioning-"));
  const env: Env = {
    ...process.env,
    NODE_ENV: "production" as const,
    DATABASE_URL: db.appUrl,
    NEXTAUTH_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    NEXTAUTH_URL: "http://127.0.0.1:3000",
    ENCRYPTION_KEY: "be".repeat(32),
    LEDGER_SIGNING_KEY: newLedgerSigningKey(),
    OBJECT_STORE_DIR: objects,
    LOG_LEVEL: "warn",
    // The benchmark's targets listen on 127.0.0.1.
    CONNECTOR_ALLOWED_HOSTS: "127.0.0.1, *",
  };
  Object.assign(process.env, env);
  (await import("@/lib/config")).resetConfigCache();
  const owner = postgres(db.ownerUrl, { max: 2, onnotice: () => {} });
  // Sees every session's statement in pg_stat_activity.
  const superuser = postgres(db.superuserUrl, { max: 1, onnotice: () => {} });
  const { closeDb } = await import("@/db/client");
  const { createTenant } = await import("@/lib/tenants/service");
  const { platformContext, systemContext } = await import("@/lib/auth/context");
  const tenant = await createTenant(platformContext({ type: "system", name: "bench" }), { name: "Bench", slug: "bench" });
  const ctx = systemContext(tenant.id, "bench");
  try {
    if (PARTS.includes("throughput")) await throughput({ ...env, DATABASE_MIGRATION_URL: db.ownerUrl }, owner, superuser, ctx);
    if (PARTS.includes("list")) await list(owner, ctx);
  } finally {
    await owner.end();
    await superuser.end();
    await closeDb();
    await db.stop();
    fs.rmSync(objects, { recursive: true, force: true });
  }
}

type Ctx = import("@/lib/auth/context").ServiceContext;

/** A fresh target with GROUPS groups; the integration over it, provisioned by its connector. */
async function target(kind: "slapd" | "scim", ctx: Ctx, run: string) {
  const { createIntegration } = await import("@/lib/integrations/service");
  const { updateProvisioningSettings } = await import("@/lib/provisioning/service");
  let slapd: RunningSlapd | undefined;
  let scim: RunningScimServer | undefined;
  let groups: string[];
  let config: Record<string, unknown>;
  if (kind === "slapd") {
    slapd = await startSlapd();
    const ldif = Array.from(
      { length: GROUPS },
      (_, g) => `dn: cn=bench${g},${GROUPS_DN}\nobjectClass: groupOfNames\ncn: bench${g}\nmember: ${BASE_DN}\n\n`,
    ).join("");
    await slapd.addLdif(ldif);
    groups = Array.from({ length: GROUPS }, (_, g) => `cn=bench${g},${GROUPS_DN}`);
    config = {
      url: slapd.url,
      bindDn: slapd.bindDn,
      bindPassword: slapd.bindPassword,
      baseDn: BASE_DN,
      userBaseDn: PEOPLE_DN,
      groupBaseDn: GROUPS_DN,
    };
  } else {
    scim = await startScimServer({ token: "bench-token" });
    groups = Array.from({ length: GROUPS }, (_, g) => scim!.addGroup({ displayName: `bench${g}`, members: [] }).id);
    config = { baseUrl: scim.baseUrl, bearerToken: scim.token };
  }
  const { integration } = await createIntegration(ctx, { name: `${kind} ${run}`, connector: kind === "slapd" ? "ldap" : "scim", config });
  await updateProvisioningSettings(ctx, { integrationId: integration.id, enabled: true, mode: "connector", settings: {} });
  return { integration, groups, url: slapd?.url ?? scim!.baseUrl, stop: async () => (await slapd?.stop()) ?? (await scim?.stop()) };
}

type TaskInput = import("@/lib/provisioning/internal").TaskInput;

async function throughput(env: Env, owner: postgres.Sql, superuser: postgres.Sql, ctx: Ctx) {
  const { getDb } = await import("@/db/client");
  const { enqueueTasks } = await import("@/lib/provisioning/internal");
  const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
  console.log(`\nThroughput: ${n(TASKS)} account creations + ${n(TASKS)} grants over ${GROUPS} groups per run`);
  console.log(
    `  ${"target".padEnd(7)} ${"workers".padStart(7)} ${"tasks".padStart(7)} ${"failed".padStart(6)} ${"tasks/s".padStart(8)} ${"p50".padStart(9)} ${"p95".padStart(9)}   ${"single p50".padStart(10)} ${"single p95".padStart(10)}`,
  );
  for (const kind of TARGETS) {
    for (const workers of WORKERS) {
      const run = `${kind}-${workers}w-${Date.now().toString(36)}`;
      const t = await target(kind, ctx, run);
      const startWorker = (i: number) =>
        startProcess(tsx, ["--tsconfig", "tsconfig.scripts.json", "--max-semi-space-size=64", "scripts/worker.ts"], env, `worker ${i + 1}`);
      // The first worker migrates the database at start; the others start once it has.
      const procs = [startWorker(0)];
      try {
        await waitFor("the first worker", async () => procs[0].log().includes("started"), 120_000, procs);
        for (let i = 1; i < workers; i++) procs.push(startWorker(i));
        // The integration's first sync runs before the writes, so they do not share the workers with it.
        await waitFor(
          "the first sync",
          async () =>
            Number(
              (
                await owner`select count(*)::int as n from sync_executions where integration_id = ${t.integration.id} and status in ('queued', 'syncing')`
              )[0].n,
            ) === 0,
          120_000,
          procs,
        );
        const user = (i: number) => `${run}-u${i}`;
        const inputs: TaskInput[] = [];
        for (let i = 0; i < TASKS; i++) {
          inputs.push({
            integrationId: t.integration.id,
            action: "create",
            account: { username: user(i) },
            parameters: {
              attributes: {
                username: user(i),
                displayName: `Bench User ${i}`,
                givenName: "Bench",
                familyName: `User ${i}`,
                email: `${user(i)}@example.test`,
              },
            },
            source: "manual",
          });
        }
        for (let i = 0; i < TASKS; i++) {
          const g = i % GROUPS;
          inputs.push({
            integrationId: t.integration.id,
            action: "grant",
            account: { username: user(i) },
            parameters: { group: { externalId: t.groups[g], name: `bench${g}` } },
            source: "manual",
          });
        }
        await getDb().transaction(async (tx) => {
          for (let i = 0; i < inputs.length; i += 1000) await enqueueTasks(tx, ctx, inputs.slice(i, i + 1000));
        });
        const unfinished = async () =>
          Number(
            (
              await owner`select count(*)::int as n from provisioning_tasks where integration_id = ${t.integration.id} and status in ('pending', 'running')`
            )[0].n,
          );
        const sampled = SAMPLE ? sampleStatements(superuser) : null;
        const cpu0 = procs.map((p) => cpuMs(p.child.pid));
        // PostgreSQL (postmaster and its backends) and the target's own process, for where the CPU goes.
        const pgPids = pidsNaming(`-p ${new URL(env.DATABASE_URL).port} `);
        const targetPids = kind === "slapd" ? pidsNaming(`127.0.0.1:${new URL(String(t.url)).port}/`) : [];
        const pg0 = cpuOf(pgPids);
        const target0 = cpuOf(targetPids);
        await waitFor("the tasks", async () => (await unfinished()) === 0, 3_600_000, procs);
        const workerCpu = procs.reduce((a, p, i) => a + cpuMs(p.child.pid) - cpu0[i], 0);
        const pgCpu = cpuOf(pgPids) - pg0;
        const targetCpu = cpuOf(targetPids) - target0;
        if (sampled) console.log(await sampled.stop());
        const bulk = await figures(owner, t.integration.id);

        // One at a time on idle workers.
        const trickleFrom = new Date();
        for (let i = 0; i < Math.min(TRICKLE, TASKS); i++) {
          const g = (i + 1) % GROUPS;
          await getDb().transaction((tx) =>
            enqueueTasks(tx, ctx, [
              {
                integrationId: t.integration.id,
                action: "grant",
                account: { username: user(i) },
                parameters: { group: { externalId: t.groups[g], name: `bench${g}` } },
                source: "manual",
              },
            ]),
          );
          await new Promise((r) => setTimeout(r, 25));
        }
        await waitFor("the single tasks", async () => (await unfinished()) === 0, 600_000, procs);
        const single = await figures(owner, t.integration.id, trickleFrom);
        console.log(
          `  ${kind.padEnd(7)} ${String(workers).padStart(7)} ${n(bulk.tasks).padStart(7)} ${String(bulk.failed).padStart(6)} ${bulk.rate.toFixed(0).padStart(8)} ${ms(bulk.p50).padStart(9)} ${ms(bulk.p95).padStart(9)}   ${ms(single.p50).padStart(10)} ${ms(single.p95).padStart(10)}` +
            `   CPU ms/task: workers ${(workerCpu / bulk.tasks).toFixed(1)}, PostgreSQL ${(pgCpu / bulk.tasks).toFixed(1)}` +
            (kind === "slapd" ? `, slapd ${(targetCpu / bulk.tasks).toFixed(1)}` : "") +
            (bulk.firstFailure ? `\n    first failure: ${bulk.firstFailure}` : ""),
        );
      } finally {
        for (const p of procs) await stopProcess(p);
        await t.stop();
      }
    }
  }
}

/** Tasks/s from the first enqueue to the last end, and enqueue-to-end latencies, of an integration's tasks (queued since `from`). */
async function figures(owner: postgres.Sql, integrationId: string, from?: Date) {
  const since = from ?? new Date(0);
  const rows = await owner<{ status: string; latency: number; created: Date; ended: Date; message: string | null }[]>`
    select status, extract(epoch from ended_at - created_at) * 1000 as latency, created_at as created, ended_at as ended, message
      from provisioning_tasks where integration_id = ${integrationId} and created_at >= ${since}`;
  const ok = rows.filter((r) => r.status === "success");
  const latencies = ok.map((r) => Number(r.latency)).sort((a, b) => a - b);
  const first = Math.min(...rows.map((r) => r.created.getTime()));
  const last = Math.max(...rows.map((r) => r.ended?.getTime() ?? 0));
  const failed = rows.filter((r) => r.status !== "success");
  return {
    tasks: rows.length,
    failed: failed.length,
    firstFailure: failed[0] ? `${failed[0].status}: ${failed[0].message}` : "",
    rate: ok.length / ((last - first) / 1000),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
  };
}

const STATUS_MIX = `case when g % 100 < 86 then 'success' when g % 100 < 90 then 'failed' when g % 100 < 92 then 'confirmed'
  when g % 100 < 93 then 'no_callback' when g % 100 < 95 then 'superseded' when g % 100 < 96 then 'cancelled'
  when g % 100 < 98 then 'running' else 'pending' end`;
const SOURCE_MIX = `case when g % 20 < 12 then 'manual' when g % 20 < 16 then 'access_review' when g % 20 < 18 then 'retry_after_modification'
  when g % 20 < 19 then 'permission_expiry' else 'access_request' end`;

/** generate_series rows shaped like real tasks, `count` of them, numbered from `offset`, spread over the integrations. */
async function insertTasks(owner: postgres.Sql, tenantId: string, integrationIds: string[], offset: number, count: number) {
  await owner.unsafe(
    `
    insert into provisioning_tasks (tenant_id, integration_id, object_type, action, object_key, object_name, account_external_id,
                                    group_external_id, group_name, source, source_ref_type, source_ref_id, initiator_type, initiator_name,
                                    status, outcome, attempts, run_after, message, parameters, steps, created_at, started_at, ended_at)
    select $1, ($2::uuid[])[1 + g % array_length($2::uuid[], 1)],
           case when g % 2 = 0 then 'account' else 'membership' end,
           case when g % 2 = 0 then (array['create','update','disable','delete'])[1 + (g / 2) % 4] else (array['grant','revoke'])[1 + (g / 2) % 2] end,
           'user' || (g % 200000), case when g % 2 = 0 then 'user' || (g % 200000) else 'user' || (g % 200000) || ' → group' || (g % 500) end,
           'ext-' || (g % 200000), case when g % 2 = 1 then 'cn=group' || (g % 500) end, case when g % 2 = 1 then 'group' || (g % 500) end,
           s.source, case when s.source = 'access_review' then 'campaign_item' when s.source in ('retry_after_modification', 'permission_expiry') then 'task' end,
           case when s.source <> 'manual' then (g * 7)::text end,
           case when g % 10 = 0 then 'system' else 'user' end, case when g % 10 = 0 then 'system' else 'admin' || (g % 20) || '@bench.test' end,
           st.status, case when st.status in ('success','failed','no_callback','confirmed','superseded') then case when st.status in ('confirmed','superseded') then 'failed' else st.status end end,
           1, now(), case when st.status = 'failed' then 'The target refused the operation: constraint violation' end,
           '{}'::jsonb, '[]'::jsonb,
           now() - ((${offset} + ${count} - g) * interval '100 milliseconds'), now() - ((${offset} + ${count} - g) * interval '100 milliseconds'),
           case when st.status not in ('pending','running') then now() - ((${offset} + ${count} - g) * interval '100 milliseconds') + interval '40 milliseconds' end
      from generate_series(${offset + 1}, ${offset + count}) g
      cross join lateral (select ${SOURCE_MIX} as source) s
      cross join lateral (select ${STATUS_MIX} as status) st`,
    [tenantId, integrationIds],
  );
}

async function list(owner: postgres.Sql, ctx: Ctx) {
  const { createIntegration } = await import("@/lib/integrations/service");
  const { listTasks } = await import("@/lib/provisioning/service");
  const integrationIds: string[] = [];
  for (let i = 0; i < 10; i++) {
    // A directory nobody reaches: only its tasks are read.
    const { integration } = await createIntegration(ctx, {
      name: `Application ${String(i + 1).padStart(2, "0")}`,
      connector: "ldap",
      config: { url: "ldap://127.0.0.1:1", bindDn: "cn=admin,dc=example,dc=test", bindPassword: "x", baseDn: "dc=example,dc=test" },
    });
    integrationIds.push(integration.id);
  }
  // Stale statistics: the table was analysed when it held another tenant's 10,000 tasks and
  // none of this one's, and autovacuum is off for it since.
  const { createTenant } = await import("@/lib/tenants/service");
  const { platformContext, systemContext } = await import("@/lib/auth/context");
  const { createIntegration: create } = await import("@/lib/integrations/service");
  const earlier = await createTenant(platformContext({ type: "system", name: "bench" }), { name: "Earlier", slug: "earlier" });
  const { integration: earlierApp } = await create(systemContext(earlier.id, "bench"), {
    name: "Earlier application",
    connector: "ldap",
    config: { url: "ldap://127.0.0.1:1", bindDn: "cn=admin,dc=example,dc=test", bindPassword: "x", baseDn: "dc=example,dc=test" },
  });
  await owner.unsafe(`alter table provisioning_tasks set (autovacuum_enabled = false, toast.autovacuum_enabled = false)`);
  await insertTasks(owner, earlier.id, [earlierApp.id], 0, STALE_ROWS);
  await owner`analyze provisioning_tasks`;
  const t0 = performance.now();
  for (let done = 0; done < LIST_TASKS; done += 250_000) {
    await insertTasks(owner, ctx.tenantId, integrationIds, STALE_ROWS + done, Math.min(250_000, LIST_TASKS - done));
  }
  const [{ total }] = await owner`select count(*)::int as total from provisioning_tasks where tenant_id = ${ctx.tenantId}`;
  console.log(`\nSynchronization Logs list: ${n(total)} tasks inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  /** The seq the page DEEP_ROWS rows into a filtered list starts after. */
  const deepCursor = async (where: string) =>
    Number(
      (
        await owner.unsafe(
          `select seq from provisioning_tasks where tenant_id = $1 ${where} order by seq desc offset ${DEEP_ROWS} limit 1`,
          [ctx.tenantId],
        )
      )[0]?.seq,
    );
  const cases: { name: string; filters: Record<string, unknown>; where: string }[] = [
    { name: "all", filters: {}, where: "" },
    { name: "status = failed", filters: { status: "failed" }, where: "and status = 'failed'" },
    { name: "status = no_callback (1 %)", filters: { status: "no_callback" }, where: "and status = 'no_callback'" },
    { name: "status = success", filters: { status: "success" }, where: "and status = 'success'" },
    { name: "source = access_review", filters: { source: "access_review" }, where: "and source = 'access_review'" },
    { name: "source = permission_expiry", filters: { source: "permission_expiry" }, where: "and source = 'permission_expiry'" },
  ];
  const measure = async (label: string) => {
    console.log(`\n  ${label}`);
    console.log(`  ${"filter".padEnd(28)} ${"page".padEnd(6)} ${"rows".padStart(5)} ${"p50".padStart(9)} ${"p95".padStart(9)}`);
    for (const c of cases) {
      const deep = await deepCursor(c.where);
      for (const [page, after] of [
        ["first", undefined],
        ["deep", deep],
      ] as const) {
        const input = { ...c.filters, ...(after ? { after } : {}) };
        await listTasks(ctx, input); // warm
        const times: number[] = [];
        let rows = 0;
        for (let r = 0; r < LIST_ROUNDS; r++) {
          const s = performance.now();
          const res = await listTasks(ctx, input);
          times.push(performance.now() - s);
          rows = res.items.length;
        }
        times.sort((a, b) => a - b);
        if (EXPLAIN) {
          // The statement db/queries/provisioning.ts listTasks sends, written out.
          const plan = await owner.unsafe(
            `explain (analyze, buffers, timing off)
             select t.id, t.seq, t.integration_id, i.name, t.object_type, t.action, t.object_name, t.source, t.status, t.attempts, t.message,
                    t.initiator_type, t.initiator_name, t.batch_id, t.retry_of_id, t.created_at, t.started_at, t.ended_at
               from provisioning_tasks t join integrations i on i.id = t.integration_id
              where t.tenant_id = (select $1::uuid) ${c.where.replaceAll(/\b(status|source)\b/g, "t.$1")} ${after ? `and t.seq < ${after}` : ""}
              order by t.seq desc limit 101`,
            [ctx.tenantId],
          );
          console.log(plan.map((r) => `      ${r["QUERY PLAN"]}`).join("\n"));
        }
        console.log(
          `  ${c.name.padEnd(28)} ${page.padEnd(6)} ${String(rows).padStart(5)} ${ms(percentile(times, 50)).padStart(9)} ${ms(percentile(times, 95)).padStart(9)}`,
        );
      }
    }
  };
  await measure(`stale statistics (analysed when the table held another tenant's ${n(STALE_ROWS)} tasks, autovacuum off)`);
  await owner`analyze provisioning_tasks`;
  await measure("fresh statistics (after ANALYZE)");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
