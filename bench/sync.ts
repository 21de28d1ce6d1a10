/**
 * npm run bench:sync — a real slapd with 100,000 users, 5,000 groups and
 * 500,000 memberships synced end to end into a real PostgreSQL: records per
 * second, wall time, peak memory of the worker process, and the ratio to a
 * plain COPY of the same rows into the same table; then a second full sync of
 * the unchanged directory, where every record is compared. Prints figures only.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startScratchDatabase } from "@/db/scratch";
import { generateDirectoryLdif, startSlapd, writeLdif } from "../tests/helpers/slapd";

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 5_000);
const PER_GROUP = Number(process.env.BENCH_MEMBERS_PER_GROUP ?? 100);

async function main() {
  const db = await startScratchDatabase();
  Object.assign(process.env, { DATABASE_URL: db.appUrl, ENCRYPTION_KEY: "ab".repeat(32), LOG_LEVEL: "silent" });
  const slapd = await startSlapd();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-bench-"));
  const { getSql, closeDb } = await import("@/db/client");
  try {
    const ldif = path.join(tmp, "directory.ldif");
    const loadStart = performance.now();
    await writeLdif(ldif, generateDirectoryLdif({ users: USERS, groups: GROUPS, membershipsPerGroup: PER_GROUP }));
    await slapd.bulkLoad(ldif);
    console.log(`Directory: ${USERS.toLocaleString("en")} users, ${GROUPS.toLocaleString("en")} groups, ` +
      `${(GROUPS * PER_GROUP).toLocaleString("en")} memberships, loaded into slapd in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);

    const { createTenant } = await import("@/lib/tenants/service");
    const { platformContext, systemContext } = await import("@/lib/auth/context");
    const { createIntegration } = await import("@/lib/integrations/service");
    const { claimNextSync } = await import("@/db/queries/syncs");
    const { runSync } = await import("@/lib/syncs/engine");
    const tenant = await createTenant(platformContext({ type: "system", name: "bench" }), { name: "Bench", slug: "bench" });
    const { sync } = await createIntegration(systemContext(tenant.id), {
      name: "Bench LDAP",
      connector: "ldap",
      config: { url: slapd.url, bindDn: slapd.bindDn, bindPassword: slapd.bindPassword, baseDn: slapd.baseDn },
    });

    const { requestSync } = await import("@/lib/syncs/service");
    const seconds = (ms = 0) => `${(ms / 1000).toFixed(1)} s`;

    /** Claims and runs one queued sync in this process, sampling its memory. */
    const run = async (title: string, syncId: string) => {
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      const t0 = performance.now();
      const exec = await claimNextSync(getSql(), "bench");
      const timings: Record<string, number> = {};
      const status = await runSync(exec!, { sql: getSql(), workerId: "bench", signal: new AbortController().signal, onProgress: async () => {}, timings });
      const wall = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      const [row] = await getSql()`select counts, message from sync_executions where id = ${syncId}`;
      const counts = typeof row.counts === "string" ? JSON.parse(row.counts) : row.counts;
      const records = Object.values(counts as Record<string, { extracted: number }>).reduce((a, c) => a + c.extracted, 0);
      console.log(`\n${title}: ${status}. ${row.message}`);
      console.log(`  ${records.toLocaleString("en")} records in ${wall.toFixed(1)} s = ${Math.round(records / wall).toLocaleString("en")} records/s`);
      console.log(`  phases: extract ${seconds(timings.extract)} (waiting on the source ${seconds(timings.sourceWait)}, ` +
        `comparing with the current state ${seconds(timings.compare)}, waiting on staging ${seconds(timings.stagingWait)}), ` +
        `duplicate check ${seconds(timings.dedupe)}, drop guard ${seconds(timings.guard)}, apply ${seconds(timings.apply)}`);
      console.log(`  worker RSS before ${(rssBefore / 1e6).toFixed(0)} MB, peak ${(peak / 1e6).toFixed(0)} MB (growth ${((peak - rssBefore) / 1e6).toFixed(0)} MB)`);
      return wall;
    };

    const first = await run("First sync (every record new)", sync.id);
    const { sync: again } = await requestSync(systemContext(tenant.id), sync.integrationId, {});
    await run("Second full sync of the unchanged directory (every record compared)", again.id);

    // Baseline: plain COPY of the rows the first sync wrote into a twin of their table
    // (same indexes), from a server-side file so no client work counts.
    const owner = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
    fs.chmodSync(tmp, 0o777);
    const cols = "tenant_id, sync_execution_id, object_type, external_id, fields, hash, outcome";
    const file = path.join(tmp, "extracted_objects");
    await owner.unsafe(`copy (select ${cols} from extracted_objects where sync_execution_id = '${sync.id}') to '${file}'`);
    await owner`create table extracted_copy (like extracted_objects including all)`;
    const t0 = performance.now();
    await owner.unsafe(`copy extracted_copy (${cols}) from '${file}'`);
    const copy = (performance.now() - t0) / 1000;
    await owner.end();
    console.log(`\nPlain COPY of the first sync's staged rows into a twin of their table (with its indexes): ${copy.toFixed(1)} s`);
    console.log(`  first sync end to end / plain COPY = ${(first / copy).toFixed(1)}×`);
  } finally {
    await closeDb();
    await slapd.stop();
    await db.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
