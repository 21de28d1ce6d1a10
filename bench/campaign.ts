/**
 * npm run bench:campaign — access-review campaigns at size: 50 integrations
 * whose latest completed syncs hold 200,000 reviewable objects in total
 * (accounts and memberships; every fifth sync with evidence), seeded straight
 * into a throwaway real PostgreSQL. Figures:
 *
 *  - createCampaign over all of it (Sync Context capture + item copy);
 *  - the Summary page's service calls (getCampaign + first page of items) and
 *    a reviewer's filtered page, median and p95 over BENCH_SAMPLES runs;
 *  - the Audit Report for 200,000 decisions, PDF and ZIP streamed to nowhere:
 *    time and peak RSS growth.
 *
 * The pages are measured twice: on freshly analysed tables, and after a second
 * campaign over the same data was created with autovacuum off and no ANALYZE,
 * so the planner still believes campaign_items holds only the first one (what
 * a real install looks like right after a large campaign). Prints figures only.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { PgDialect } from "drizzle-orm/pg-core";
import type { SQL } from "drizzle-orm";
import postgres from "postgres";
import type { Executor } from "@/db/client";
import { startScratchDatabase } from "@/db/scratch";

const INTEGRATIONS = Number(process.env.BENCH_INTEGRATIONS ?? 50);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 200_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50);
/** BENCH_EXPLAIN=1 prints the plans (EXPLAIN ANALYZE, rolled back) of the statements measured, on the stale-statistics database. */
const EXPLAIN = process.env.BENCH_EXPLAIN === "1";
const REVIEWERS = 10;
/** Per integration: accounts, and memberships of each account in this many of 10 groups. */
const GROUPS = 10;
const MEMBERSHIPS_PER_ACCOUNT = 3;
const CAMPAIGN_TABLES = ["campaigns", "campaign_items", "campaign_progress", "campaign_sync_contexts"];
const STATE_TABLES = ["extracted_objects", "identity_states", "identity_overlay", "sync_executions", "evidence_records", "evidence_files"];

const n = (v: number) => v.toLocaleString("en");
const ms = (v: number) => `${v.toFixed(1)} ms`;
const secs = (v: number) => `${(v / 1000).toFixed(2)} s`;

function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The statements a query function sends, captured instead of run. */
async function capture(fn: (db: Executor) => Promise<unknown>): Promise<{ sql: string; params: unknown[] }[]> {
  const dialect = new PgDialect();
  const out: { sql: string; params: unknown[] }[] = [];
  const fake = {
    execute: async (q: SQL) => {
      out.push(dialect.sqlToQuery(q));
      return [];
    },
  } as unknown as Executor;
  await fn(fake).catch(() => {});
  return out;
}

async function explain(owner: postgres.Sql, title: string, fn: (db: Executor) => Promise<unknown>) {
  for (const q of await capture(fn)) {
    if (/^set /i.test(q.sql)) continue;
    const plan = await owner
      .begin(async (tx) => {
        const rows = await tx.unsafe(`explain (analyze, buffers, timing off) ${q.sql}`, q.params as never[]);
        throw Object.assign(new Error("rollback"), { rows });
      })
      .catch((e: { rows?: { "QUERY PLAN": string }[] }) => e.rows ?? [{ "QUERY PLAN": String(e) }]);
    console.log(`\n-- ${title}\n${plan.map((r) => r["QUERY PLAN"]).join("\n")}`);
  }
}

type Row = { what: string; database: string; figure: string; target: string; ok: boolean };

async function main() {
  const db = await startScratchDatabase();
  const objects = fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-bench-objects-"));
  const { newLedgerSigningKey } = await import("@/lib/runtime/local-secrets");
  Object.assign(process.env, {
    DATABASE_URL: db.appUrl,
    OBJECT_STORE_DIR: objects,
    LOG_LEVEL: "silent",
    PASSWORD_HASH_COST: "test",
    ENCRYPTION_KEY: "ab".repeat(32),
    NEXTAUTH_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    LEDGER_SIGNING_KEY: newLedgerSigningKey(),
  });
  (await import("@/lib/config")).resetConfigCache();
  const { closeDb } = await import("@/db/client");
  const { createTenant } = await import("@/lib/tenants/service");
  const { actingInTenant, platformContext, userContext } = await import("@/lib/auth/context");
  const { addMemberDirectly } = await import("@/lib/members/internal");
  const { createIntegration } = await import("@/lib/integrations/service");
  const { receiveUpload, tenantUploadPrefix } = await import("@/lib/uploads/service");
  const { getObjectStore } = await import("@/lib/storage");
  const { createCampaign, getCampaign } = await import("@/lib/campaigns/service");
  const { listItems } = await import("@/lib/campaigns/review");
  const { generateCampaignReport } = await import("@/lib/campaigns/report/service");
  const owner = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
  const rows: Row[] = [];

  try {
    const platform = platformContext({ type: "user", id: "00000000-0000-0000-0000-000000000001", name: "bench@platform.test" });
    const tenant = await createTenant(platform, { name: "Bench", slug: "bench" });
    const acting = actingInTenant(platform, tenant.id);
    const member = (role: "admin" | "reviewer", i: number) =>
      addMemberDirectly(acting, { email: `${role}${i}@bench.test`, role, password: "correct horse battery staple" });
    const admin = await member("admin", 0);
    const reviewers: Awaited<ReturnType<typeof member>>[] = [];
    for (let i = 0; i < REVIEWERS; i++) reviewers.push(await member("reviewer", i));
    const ctx = userContext({ tenantId: tenant.id, role: "admin", user: { id: admin.userId, email: admin.email } });
    const reviewerCtx = userContext({
      tenantId: tenant.id,
      role: "reviewer",
      user: { id: reviewers[0].userId, email: reviewers[0].email },
    });

    // Integrations through the service (their first sync stays queued: no worker runs), then
    // each sync completed and its staged rows written by SQL, as a finished sync leaves them.
    let t0 = performance.now();
    const accounts = Math.round(ITEMS / INTEGRATIONS / (1 + MEMBERSHIPS_PER_ACCOUNT));
    const key = `${tenantUploadPrefix(tenant.id)}bench-accounts.csv`;
    await getObjectStore().put(key, "externalId,username\nu1,a\n");
    const integrationIds: string[] = [];
    for (let i = 0; i < INTEGRATIONS; i++) {
      let evidence: { notes: string; uploadIds: string[] } | undefined;
      if (i % 5 === 0) {
        const pdf = Buffer.from(`%PDF-1.7\n% attestation of application ${i}\n%%EOF\n`);
        const up = await receiveUpload(ctx, {
          purpose: "evidence",
          filename: `attestation-${i}.pdf`,
          contentLength: pdf.length,
          body: Readable.from([pdf]),
        });
        evidence = { notes: `Quarterly attestation of application ${i}, signed by its **owner**.`, uploadIds: [up.id] };
      }
      const created = await createIntegration(ctx, {
        name: `Application ${String(i).padStart(2, "0")}`,
        connector: "csv",
        config: { files: { accounts: key } },
        evidence,
      });
      integrationIds.push(created.integration.id);
    }
    await owner.unsafe(`
      update sync_executions
         set status = 'post_sync_completed', started_at = now() - interval '10 minutes', ended_at = now() - interval '9 minutes',
             message = 'Accounts: ${accounts}; Groups: ${GROUPS}; Memberships: ${accounts * MEMBERSHIPS_PER_ACCOUNT}',
             counts = '{"account":{"extracted":${accounts}}}'::jsonb
       where tenant_id = '${tenant.id}' and status = 'queued'`);
    await owner.unsafe(`
      insert into extracted_objects (tenant_id, sync_execution_id, object_type, external_id, fields, hash, outcome)
      select s.tenant_id, s.id, 'account', 'u' || g,
             jsonb_build_object('externalId', 'u' || g, 'username', 'user' || g, 'displayName', 'User Number ' || g,
                                'status', case when g % 10 = 0 then 'disabled' else 'active' end,
                                'department', (array['Finance', 'Sales', 'IT', 'HR'])[1 + g % 4]),
             md5(s.id::text || g), 'created'
        from sync_executions s, generate_series(1, ${accounts}) g where s.tenant_id = '${tenant.id}'
      union all
      select s.tenant_id, s.id, 'group', 'g' || g, jsonb_build_object('externalId', 'g' || g, 'name', 'Group ' || g), md5(s.id::text || 'g' || g), 'created'
        from sync_executions s, generate_series(1, ${GROUPS}) g where s.tenant_id = '${tenant.id}'
      union all
      select s.tenant_id, s.id, 'membership', 'g' || (1 + (g + k * 3) % ${GROUPS}) || ':u' || g,
             jsonb_build_object('groupExternalId', 'g' || (1 + (g + k * 3) % ${GROUPS}), 'memberExternalId', 'u' || g),
             md5(s.id::text || 'm' || g || ':' || k), 'created'
        from sync_executions s, generate_series(1, ${accounts}) g, generate_series(0, ${MEMBERSHIPS_PER_ACCOUNT - 1}) k
       where s.tenant_id = '${tenant.id}'`);
    await owner.unsafe(`
      insert into identity_states (integration_id, tenant_id, base_sync_execution_id, version)
      select integration_id, tenant_id, id, 1 from sync_executions where tenant_id = '${tenant.id}'
      on conflict (integration_id) do update set base_sync_execution_id = excluded.base_sync_execution_id, version = 1`);
    for (const table of [...STATE_TABLES, ...CAMPAIGN_TABLES]) await owner.unsafe(`analyze ${table}`);
    console.log(
      `Seeded ${n(INTEGRATIONS)} integrations × (${n(accounts)} accounts + ${n(GROUPS)} groups + ${n(accounts * MEMBERSHIPS_PER_ACCOUNT)} memberships) in ${secs(performance.now() - t0)}`,
    );

    const input = (name: string) => ({
      name,
      description: "Benchmark review of every account and membership",
      dueDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      reviewerMode: "members" as const,
      reviewerIds: reviewers.map((r) => r.userId),
      filter: { integrationIds, entityTypes: ["account" as const, "membership" as const], groups: [], conditions: [] },
      start: true,
    });

    const pages = async (label: string, campaignId: string) => {
      const summary: number[] = [];
      const filtered: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        let t = performance.now();
        await getCampaign(ctx, campaignId);
        await listItems(ctx, campaignId, {});
        summary.push(performance.now() - t);
        t = performance.now();
        await listItems(reviewerCtx, campaignId, {
          status: "undecided",
          integrationId: integrationIds[i % integrationIds.length],
          objectType: i % 2 ? "membership" : "account",
        });
        filtered.push(performance.now() - t);
      }
      for (const [what, times] of [
        ["Summary (getCampaign + first items page)", summary],
        ["Reviewer's filtered page", filtered],
      ] as const) {
        const p95 = percentile(times, 95);
        rows.push({
          what: `${what}, p95 (median ${ms(percentile(times, 50))})`,
          database: label,
          figure: ms(p95),
          target: "< 50 ms",
          ok: p95 < 50,
        });
      }
    };

    t0 = performance.now();
    const first = await createCampaign(ctx, input("Benchmark campaign"));
    const created = performance.now() - t0;
    rows.push({
      what: `createCampaign (${n(first.itemCount)} items)`,
      database: "fresh",
      figure: secs(created),
      target: "< 5 s",
      ok: created < 5000,
    });
    // A fresh database: the statistics include the campaign, as autovacuum soon would.
    for (const table of CAMPAIGN_TABLES) await owner.unsafe(`analyze ${table}`);
    await pages("fresh", first.id);

    // History: autovacuum off and no ANALYZE, so campaign_items' statistics know only the first campaign.
    for (const table of [...STATE_TABLES, ...CAMPAIGN_TABLES]) {
      await owner.unsafe(`alter table ${table} set (autovacuum_enabled = false, toast.autovacuum_enabled = false)`);
    }
    t0 = performance.now();
    const second = await createCampaign(ctx, input("Benchmark campaign, second run"));
    const created2 = performance.now() - t0;
    rows.push({
      what: `createCampaign (${n(second.itemCount)} items)`,
      database: "stale stats",
      figure: secs(created2),
      target: "< 5 s",
      ok: created2 < 5000,
    });
    await pages("stale stats", second.id);
    if (EXPLAIN) {
      const q = await import("@/db/queries/campaigns");
      const last = integrationIds[integrationIds.length - 1];
      await explain(owner, "reviewer's filtered page (last integration)", (d) =>
        q.listItems(
          d,
          tenant.id,
          second.id,
          { reviewerId: reviewers[0].userId, integrationId: last, objectType: "account", status: "undecided" },
          { limit: 51 },
        ),
      );
      await explain(owner, "first items page", (d) => q.listItems(d, tenant.id, second.id, {}, { limit: 51 }));
      await explain(owner, "items digest", (d) => q.itemsDigest(d, second.id));
      const [{ id: third }] = await owner<{ id: string }[]>`
        insert into campaigns (tenant_id, name, status, due_date, reviewer_mode, reviewer_ids, filter, snapshot_hash, items_digest, item_count, created_by_name, created_at)
        values (${tenant.id}, 'explain', 'active', now()::date + 30, 'members', '[]', '{}', '', '', 0, 'bench', now()::text) returning id::text`;
      await explain(owner, "copy items", (d) =>
        q.copyItems(d, { id: third, tenantId: tenant.id }, input("x").filter, {
          mode: "members",
          reviewerIds: reviewers.map((r) => r.userId),
        }),
      );
    }

    // Every item decided: one in ten revoked with a comment.
    t0 = performance.now();
    await owner.unsafe(`
      update campaign_items
         set decision = case when id % 10 = 0 then 'revoke' else 'approve' end,
             comment = case when id % 10 = 0 then 'No longer needed after the reorganisation of team ' || (id % 97) end,
             remediation = case when id % 10 = 0 then 'pending' end,
             decided_by_id = reviewer_id::text, decided_by_name = reviewer_name, decided_at = now()
       where campaign_id = '${first.id}'`);
    await owner.unsafe(`
      update campaign_progress p set approved = x.approved, revoked = x.revoked
        from (select integration_id, coalesce(reviewer_id, '00000000-0000-0000-0000-000000000000'::uuid) as reviewer_id,
                     count(*) filter (where decision = 'approve') as approved, count(*) filter (where decision = 'revoke') as revoked
                from campaign_items where campaign_id = '${first.id}' group by 1, 2) x
       where p.campaign_id = '${first.id}' and p.integration_id = x.integration_id and p.reviewer_id = x.reviewer_id`);
    console.log(`Decided all ${n(first.itemCount)} items of the first campaign in ${secs(performance.now() - t0)}`);

    for (const format of ["pdf", "zip"] as const) {
      global.gc?.();
      const baseline = process.memoryUsage().rss;
      const baseHeap = process.memoryUsage().heapUsed;
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      t0 = performance.now();
      const report = await generateCampaignReport(ctx, first.id, { format });
      let bytes = 0;
      const sink = fs.createWriteStream("/dev/null");
      for await (const chunk of Readable.fromWeb(report.body as import("node:stream/web").ReadableStream<Uint8Array>)) {
        bytes += (chunk as Buffer).length;
        if (!sink.write(chunk)) await new Promise<void>((r) => sink.once("drain", () => r()));
      }
      sink.end();
      const took = performance.now() - t0;
      clearInterval(sampler);
      const growth = (peak - baseline) / 1e6;
      // What stays after a full collection: RSS growth beyond it is garbage V8 had not yet collected.
      global.gc?.();
      const retained = (process.memoryUsage().heapUsed - baseHeap) / 1e6;
      rows.push({
        what: `Audit Report ${format.toUpperCase()}, ${n(first.itemCount)} decisions (${(bytes / 1e6).toFixed(1)} MB)`,
        database: "stale stats",
        figure: `${secs(took)}, RSS +${growth.toFixed(0)} MB (heap after gc ${retained >= 0 ? "+" : ""}${retained.toFixed(0)} MB)`,
        target: "< 30 s, < 150 MB",
        ok: took < 30_000 && growth < 150,
      });
    }
  } finally {
    await owner.end();
    await closeDb();
    await db.stop();
    fs.rmSync(objects, { recursive: true, force: true });
  }

  const w = [Math.max(...rows.map((r) => r.what.length)), 11, Math.max(...rows.map((r) => r.figure.length)), 17];
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i] ?? 4)).join(" | ")} |`;
  console.log(`\n${line(["Measure", "Database", "Figure", "Target", "Met"])}`);
  console.log(line(w.concat(3).map((x) => "-".repeat(x))));
  for (const r of rows) console.log(line([r.what, r.database, r.figure, r.target, r.ok ? "yes" : "NO"]));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
