/**
 * A sync stuck inside one statement is ended at its deadline, with a message
 * naming the phase, nothing applied, and the integration's next sync free to
 * run; runs near their deadline show as overdue first. Real Postgres
 * throughout: the stuck statements are a lock another transaction holds and a
 * trigger that sleeps.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb, getSql } from "@/db/client";
import { getSyncExecution, runConnectionTag, type SyncExecutionRow } from "@/db/queries/syncs";
import { updateIntegration } from "@/lib/integrations/service";
import { getPipelineHealth } from "@/lib/syncs/health";
import { listSyncHistory, requestSync } from "@/lib/syncs/service";
import { startWorker, superviseRun, type Worker } from "@/lib/syncs/worker";
import { expectAuditRow, makeCsvIntegration, makeTenant, type TestTenant } from "../helpers/factories";
import { sleep, waitUntil } from "../helpers/wait";

let worker: Worker;

beforeAll(() => {
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.2, heartbeatSeconds: 0.5, overdueGraceSeconds: 1 });
});

afterAll(async () => {
  await worker?.stop();
});

const ended = (t: TestTenant, id: string) =>
  waitUntil(`sync ${id} to end`, async () => {
    const r = await getSyncExecution(getDb(), t.id, id);
    return r && !["queued", "syncing", "completed"].includes(r.status) ? r : null;
  });

const currentIds = async (integrationId: string) =>
  (await getSql()`select external_id from identity_objects where integration_id = ${integrationId} order by external_id`).map(
    (r) => r.external_id as string,
  );

/**
 * Starts a run of the integration as a claim does, for this test alone (other
 * test files' workers share the database and would claim a queued run
 * themselves), and returns the row the worker runs.
 */
async function claimForTest(t: TestTenant, integrationId: string, workerId: string): Promise<SyncExecutionRow> {
  const [{ id }] = await getSql()<{ id: string }[]>`
    insert into sync_executions (tenant_id, integration_id, status, trigger, started_by_type, started_by_name, started_at,
                                 heartbeat_at, worker_id, attempts, phase, phase_started_at, run_deadline_at, deadline_at)
    select ${t.id}, i.id, 'syncing', 'manual', 'user', 'operator', now(), now(), ${workerId}, 1, 'connecting', now(),
           now() + make_interval(secs => i.max_run_seconds), now() + make_interval(secs => i.max_run_seconds)
      from integrations i where i.id = ${integrationId}
    returning id`;
  return (await getSyncExecution(getDb(), t.id, id))!;
}

/** An integration with one applied sync (a1), whose file then gains a2: a second sync would apply a2. */
async function integrationWithState(t: TestTenant, name: string) {
  const csv = await makeCsvIntegration(t, name, "externalId,username\na1,ann\n");
  expect((await ended(t, csv.sync!.id)).status).toBe("post_sync_completed");
  await csv.put("externalId,username\na1,ann\na2,bob\n");
  return csv;
}

describe("a run held past its deadline", () => {
  it("ends error naming the applying phase when a statement waits on a lock past the phase's deadline; nothing is applied and the next sync runs", {
    timeout: 60_000,
  }, async () => {
    const t = await makeTenant();
    const csv = await integrationWithState(t, "Locked-apply");
    // Another transaction holds the integration's state row: the apply's lock wait never ends by itself.
    const holder = postgres(inject("databaseUrl"), { max: 1, onnotice: () => {} });
    try {
      const locked = holder.begin(async (tx) => {
        await tx`select 1 from identity_states where integration_id = ${csv.integration.id} for update`;
        await tx`select pg_sleep(15)`;
      });
      locked.catch(() => {});
      await sleep(300);
      const exec = await claimForTest(t, csv.integration.id, "test-locked-apply");
      const sync = exec;
      const started = Date.now();
      const status = await superviseRun(getDb(), exec, {
        workerId: "test-locked-apply",
        cancel: new AbortController(),
        shutdown: new AbortController().signal,
        beatEvery: 250,
        // Two seconds for a phase, whatever its size: the lock is held for fifteen.
        budget: { baseMs: 2_000, perThousandRecordsMs: 0 },
      });
      expect(status).toBe("error");
      expect(Date.now() - started).toBeLessThan(10_000);
      const run = await getSyncExecution(getDb(), t.id, sync.id);
      expect(run?.status).toBe("error");
      expect(run?.message).toMatch(/^The sync stopped: the applying phase exceeded its 2 s deadline \(2 records\); nothing was applied\./);
      expect(await currentIds(csv.integration.id)).toEqual(["a1"]);
    } finally {
      await holder.end({ timeout: 1 });
    }
    // The integration is not left queuing behind it: its next sync runs and applies.
    const { sync: next } = await requestSync(t.ctx("operator"), csv.integration.id, {});
    expect((await ended(t, next.id)).status).toBe("post_sync_completed");
    expect(await currentIds(csv.integration.id)).toEqual(["a1", "a2"]);
  });

  it("ends error past the integration's maximum run time when a statement never returns, and that statement is cancelled", {
    timeout: 60_000,
  }, async () => {
    const t = await makeTenant();
    const csv = await integrationWithState(t, "Stuck-staging");
    const owner = postgres(inject("ownerDatabaseUrl"), { max: 1, onnotice: () => {} });
    const fn = `stall_${randomBytes(4).toString("hex")}`;
    try {
      // Every staged row of this tenant sleeps for ten minutes: the run's COPY never returns.
      await owner.unsafe(`
          create function ${fn}() returns trigger language plpgsql as $$
          begin if new.tenant_id = '${t.id}' then perform pg_sleep(600); end if; return new; end $$;
          create trigger ${fn} before insert on extracted_objects for each row execute function ${fn}();`);
      await getSql()`update integrations set max_run_seconds = 3 where id = ${csv.integration.id}`;
      const exec = await claimForTest(t, csv.integration.id, "test-stuck-copy");
      const sync = exec;
      const started = Date.now();
      const status = await superviseRun(getDb(), exec, {
        workerId: "test-stuck-copy",
        cancel: new AbortController(),
        shutdown: new AbortController().signal,
        beatEvery: 250,
        budget: { baseMs: 120_000, perThousandRecordsMs: 0 },
      });
      expect(status).toBe("error");
      expect(Date.now() - started).toBeLessThan(15_000);
      const run = await getSyncExecution(getDb(), t.id, sync.id);
      expect(run?.message).toMatch(
        /^The sync stopped: it ran past the integration's maximum run time of 3 s while comparing records \(2 records read\); nothing was applied\. Raise the maximum run time/,
      );
      // The sleeping COPY was cancelled, not left to run out its ten minutes. A cancelled or terminated
      // backend leaves pg_stat_activity when it has processed the signal, which on a busy machine can
      // take a moment after the run returned: allow it five seconds.
      const busy = async () =>
        (
          await getSql()`
          select count(*)::int as n from pg_stat_activity where application_name = ${runConnectionTag(sync.id)} and state <> 'idle'`
        )[0].n as number;
      await expect.poll(busy, { timeout: 5_000, interval: 100 }).toBe(0);
      expect(await currentIds(csv.integration.id)).toEqual(["a1"]);
    } finally {
      await owner.unsafe(`drop trigger if exists ${fn} on extracted_objects; drop function if exists ${fn}()`);
      await owner.end({ timeout: 1 });
    }
    await getSql()`update integrations set max_run_seconds = 7200 where id = ${csv.integration.id}`;
    const { sync: next } = await requestSync(t.ctx("operator"), csv.integration.id, {});
    expect((await ended(t, next.id)).status).toBe("post_sync_completed");
    expect(await currentIds(csv.integration.id)).toEqual(["a1", "a2"]);
  });

  it("is ended by another worker's sweep when its own worker does not end it, and its statement is cancelled", {
    timeout: 60_000,
  }, async () => {
    const t = await makeTenant();
    const { integration } = await integrationWithState(t, "Swept");
    const [run] = await getSql()<{ id: string }[]>`
      insert into sync_executions (tenant_id, integration_id, status, trigger, started_by_type, started_by_name, started_at,
                                   heartbeat_at, worker_id, attempts, phase, processed, phase_started_at, deadline_at, run_deadline_at)
      values (${t.id}, ${integration.id}, 'syncing', 'manual', 'user', 'someone', now() - interval '5 minutes', now(),
              'busy-host:1:alive', 1, 'applying', 40000, now() - interval '150 seconds', now() - interval '2 seconds',
              now() + interval '1 hour')
      returning id`;
    // Its apply, on a connection of its own, is stuck in a statement.
    const stuck = postgres(inject("databaseUrl"), {
      max: 1,
      onnotice: () => {},
      connection: { application_name: runConnectionTag(run.id) },
    });
    try {
      const statement = stuck`select pg_sleep(600)`.then(
        () => "finished",
        (e: Error) => e.message,
      );
      // The run's own worker is alive (its heartbeat is fresh) but never ends it.
      const keepAlive = setInterval(
        () => void getSql()`update sync_executions set heartbeat_at = now() where id = ${run.id}`.catch(() => {}),
        500,
      );
      try {
        const done = await ended(t, run.id);
        expect(done.status).toBe("error");
        expect(done.message).toMatch(/^The sync stopped: the applying phase exceeded its 2 min 28 s deadline \(40,000 records\)/);
        expect(await statement).toMatch(/cancel/i);
      } finally {
        clearInterval(keepAlive);
      }
    } finally {
      await stuck.end({ timeout: 1 });
    }
  });
});

describe("overdue runs", () => {
  it("Sync History and Pipeline Health show a run past 80 % of its deadline as overdue, and one within it as not", async () => {
    const t = await makeTenant();
    const late = await makeCsvIntegration(t, "Late", "externalId,username\na1,ann\n");
    const fine = await makeCsvIntegration(t, "Fine", "externalId,username\na1,ann\n");
    await ended(t, late.sync!.id);
    await ended(t, fine.sync!.id);
    const insert = (integrationId: string, inPhase: number, left: number) => getSql()<{ id: string }[]>`
      insert into sync_executions (tenant_id, integration_id, status, trigger, started_by_type, started_by_name, started_at,
                                   heartbeat_at, worker_id, attempts, phase, processed, phase_started_at, deadline_at, run_deadline_at)
      values (${t.id}, ${integrationId}, 'syncing', 'manual', 'user', 'someone', now() - interval '10 minutes', now(),
              'busy-host:1:alive', 1, 'applying', 1200000,
              now() - make_interval(secs => ${inPhase}), now() + make_interval(secs => ${left}), now() + interval '1 hour')
      returning id`;
    // 200 s into a 240 s deadline (83 %), and 60 s into one of 240 s (25 %).
    const [lateRun] = await insert(late.integration.id, 200, 40);
    const [fineRun] = await insert(fine.integration.id, 60, 180);
    try {
      const history = await listSyncHistory(t.ctx("viewer"), late.integration.id);
      const shown = history.syncs.find((s) => s.id === lateRun.id)!;
      expect(shown.overdue).toMatchObject({ overdue: true, kind: "phase" });
      if (!shown.overdue.overdue) throw new Error("not overdue");
      expect(Math.round(shown.overdue.limitMs / 1000)).toBe(240);
      expect(Math.round(shown.overdue.inPhaseMs / 1000)).toBeGreaterThanOrEqual(200);
      const completed = history.syncs.find((s) => s.id === late.sync!.id)!;
      expect(completed.overdue).toEqual({ overdue: false });
      expect((await listSyncHistory(t.ctx("viewer"), fine.integration.id)).syncs.find((s) => s.id === fineRun.id)!.overdue).toEqual({
        overdue: false,
      });

      const health = await getPipelineHealth(t.ctx("viewer"));
      expect(health.running.find((r) => r.id === lateRun.id)!.overdue).toMatchObject({ overdue: true, kind: "phase" });
      expect(health.running.find((r) => r.id === fineRun.id)!.overdue).toEqual({ overdue: false });
    } finally {
      await getSql()`update sync_executions set status = 'cancelled', ended_at = now() where id in (${lateRun.id}, ${fineRun.id})`;
    }
  });
});

describe("the maximum run time setting", () => {
  it("is validated, audited, and bounds the integration's next run", async () => {
    const t = await makeTenant();
    const csv = await makeCsvIntegration(t, "Bounded", "externalId,username\na1,ann\n");
    await ended(t, csv.sync!.id);
    await expect(updateIntegration(t.ctx("admin"), csv.integration.id, { maxRunMinutes: 0 })).rejects.toMatchObject({
      fieldErrors: { maxRunMinutes: [expect.stringMatching(/between 1 and 1440 minutes/)] },
    });
    await expect(updateIntegration(t.ctx("admin"), csv.integration.id, { maxRunMinutes: 2000 })).rejects.toMatchObject({
      fieldErrors: { maxRunMinutes: [expect.stringMatching(/between 1 and 1440 minutes/)] },
    });
    const { integration, sync } = await updateIntegration(t.ctx("admin"), csv.integration.id, { maxRunMinutes: 30 });
    expect(integration.maxRunMinutes).toBe(30);
    const audit = await expectAuditRow(t.id, "ConnectionProfile", "Update", "Bounded");
    expect(audit.changes).toContainEqual({ field: "maxRunMinutes", before: 120, after: 30 });
    // The sync the save started is bounded by the new maximum from its claim.
    await ended(t, sync!.id);
    const [row] = await getSql()`
      select extract(epoch from run_deadline_at - started_at)::int as seconds from sync_executions where id = ${sync!.id}`;
    expect(row.seconds).toBeGreaterThanOrEqual(30 * 60 - 5);
    expect(row.seconds).toBeLessThanOrEqual(30 * 60 + 5);
  });
});
