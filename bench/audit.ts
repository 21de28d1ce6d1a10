/**
 * npm run bench:audit — audit-log figures over 1,000,000 events in one tenant:
 * server time for a filtered page of 100 (entity type + action, free text,
 * actor, deep keyset page), and time and memory to export all rows as CSV.
 * Runs against a throwaway real PostgreSQL; prints figures, asserts nothing.
 */
import postgres from "postgres";
import { startScratchDatabase } from "@/db/scratch";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);

function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function main() {
  const db = await startScratchDatabase();
  process.env.DATABASE_URL = db.appUrl;
  process.env.LOG_LEVEL = "silent";
  const { createTenant } = await import("@/lib/tenants/service");
  const { platformContext, userContext } = await import("@/lib/auth/context");
  const { listAuditEvents, exportAuditEvents } = await import("@/lib/audit/service");
  const { closeDb } = await import("@/db/client");
  const { AUDITED } = await import("@/lib/audit/catalog");

  try {
    const tenant = await createTenant(platformContext({ type: "system", name: "bench" }), { name: "Bench", slug: "bench" });
    const owner = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
    const pairs = Object.entries(AUDITED).flatMap(([t, actions]) => actions.map((a) => [t, a]));
    const types = pairs.map((p) => `'${p[0]}'`).join(",");
    const actions = pairs.map((p) => `'${p[1]}'`).join(",");
    let t0 = performance.now();
    await owner.unsafe(`
      insert into audit_events (tenant_id, occurred_at, actor_type, actor_name, action, entity_type, entity_id, entity_name, details, ip)
      select '${tenant.id}', now() - (g * interval '2 seconds'), 'user', 'user' || (g % 50) || '@bench.test',
             (array[${actions}])[1 + g % ${pairs.length}], (array[${types}])[1 + g % ${pairs.length}],
             g::text, 'Object ' || (g % 20000), 'Changed ' || substr(md5(g::text), 1, 12) || ' on connection ' || (g % 997),
             ('10.' || (g % 250) || '.' || (g % 200) || '.1')::inet
      from generate_series(1, ${EVENTS}) g`);
    await owner`analyze audit_events`;
    await owner.end();
    console.log(`Inserted ${EVENTS.toLocaleString("en")} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const ctx = userContext({ tenantId: tenant.id, role: "auditor", user: { id: "bench", email: "bench@bench.test" } });
    const scenarios: [string, () => Record<string, string>][] = [
      [
        "entity type + action",
        () => {
          const [entityType, action] = pairs[Math.floor(Math.random() * pairs.length)];
          return { entityType, action };
        },
      ],
      ["free text (specific: one object)", () => ({ q: `object ${Math.floor(Math.random() * 20000)}` })],
      ["free text (hash fragment)", () => ({ q: Math.random().toString(16).slice(2, 6) })],
      ["free text (common word)", () => ({ q: "connection" })],
      ["actor", () => ({ actor: `user${Math.floor(Math.random() * 50)}@bench.test` })],
      ["no filter", () => ({})],
    ];
    console.log(`\nFiltered page of 100, ${SAMPLES} samples each (service call incl. database round trip):`);
    for (const [name, make] of scenarios) {
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const t = performance.now();
        await listAuditEvents(ctx, { ...make(), limit: 100 });
        times.push(performance.now() - t);
      }
      console.log(`  ${name.padEnd(34)} median ${fmt(percentile(times, 50))}  p95 ${fmt(percentile(times, 95))}`);
    }
    // A deep page: follow the cursor 50 pages in, then time the next pages.
    let cursor: string | undefined;
    for (let i = 0; i < 50; i++)
      cursor = (await listAuditEvents(ctx, { entityType: "Tenant", limit: 100, cursor })).nextCursor ?? undefined;
    const deep: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t = performance.now();
      const page = await listAuditEvents(ctx, { entityType: "Tenant", limit: 100, cursor });
      deep.push(performance.now() - t);
      cursor = page.nextCursor ?? cursor;
    }
    console.log(`  ${"keyset page 50+ (entity type)".padEnd(34)} median ${fmt(percentile(deep, 50))}  p95 ${fmt(percentile(deep, 95))}`);

    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    t0 = performance.now();
    const out = await exportAuditEvents(ctx, { format: "csv", filters: {} });
    let bytes = 0;
    let lines = 0;
    const reader = out.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      for (const b of value) if (b === 10) lines++;
    }
    clearInterval(sampler);
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `\nCSV export of all events: ${(lines - 1).toLocaleString("en")} rows, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s` +
        ` (${Math.round((lines - 1) / seconds).toLocaleString("en")} rows/s)`,
    );
    console.log(
      `  RSS before ${(baseline / 1e6).toFixed(0)} MB, peak ${(peak / 1e6).toFixed(0)} MB, growth ${((peak - baseline) / 1e6).toFixed(0)} MB`,
    );
  } finally {
    await closeDb();
    await db.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
