/**
 * Cancelling syncs, their phase and progress, and one queued run per
 * integration: against a real SCIM service provider made slow on purpose, so
 * a run is cancelled while it really reads, and a real lock on the current
 * state, so a run is cancelled while it really applies.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb, getSql } from "@/db/client";
import { getSyncExecution, type SyncExecutionRow } from "@/db/queries/syncs";
import { SYNC_PHASES } from "@/lib/domain/enums";
import { POST as cancelRoute } from "@/app/api/v1/syncs/[id]/cancel/route";
import { POST as startRoute } from "@/app/api/v1/integrations/[id]/syncs/route";
import { addEvidence } from "@/lib/evidence/service";
import { createIntegration, updateIntegration } from "@/lib/integrations/service";
import { cancelSync, getSync, listSyncHistory, listSyncLog, releaseHeldSync, requestSync } from "@/lib/syncs/service";
import { runSync } from "@/lib/syncs/engine";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { expectAuditRow, makeApiKeyCtx, makeCsvIntegration, makeTenant, type TestTenant } from "../helpers/factories";
import { startScimServer, type RunningScimServer } from "../helpers/scim-server";
import { sleep, waitUntil } from "../helpers/wait";

const TOKEN = "scim-cancel-token-51c2";
const USERS = 60;

let scim: RunningScimServer;
let worker: Worker;

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  scim = await startScimServer({ token: TOKEN });
  const users = Array.from({ length: USERS }, (_, i) =>
    scim.addUser({
      userName: `person${i}@example.test`,
      displayName: `Person ${i}`,
      emails: [{ value: `person${i}@example.test`, primary: true }],
    }),
  );
  // Three pages of groups: a slowed run is seen between them too.
  for (let g = 0; g < 12; g++) {
    scim.addGroup({ displayName: `Team ${g}`, members: users.slice(g * 5, g * 5 + 5).map((u) => ({ value: u.id, type: "User" })) });
  }
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.2, heartbeatSeconds: 1, staleAfterSeconds: 30 });
});

afterAll(async () => {
  scim?.setDelay(0);
  await worker?.stop();
  await scim?.stop();
});

/** Five resources a page, so a slowed provider gives a run that reads for seconds, page after page. */
const scimConfig = () => ({ baseUrl: scim.baseUrl, bearerToken: TOKEN, pageSize: 5 });

async function row(tenantId: string, id: string): Promise<SyncExecutionRow> {
  return (await getSyncExecution(getDb(), tenantId, id))!;
}

async function waitForEnd(tenantId: string, id: string, timeoutMs = 30_000) {
  return waitUntil(
    `sync ${id} to end`,
    async () => {
      const sync = await row(tenantId, id);
      // "completed" is followed at once by the post-sync step.
      return ["queued", "syncing", "completed"].includes(sync.status) ? null : sync;
    },
    timeoutMs,
  );
}

/** The integration's current state, in a comparable form. */
async function currentState(integrationId: string) {
  const objects = await getSql()`
    select object_type, external_id, hash from identity_objects where integration_id = ${integrationId} order by 1, 2`;
  const [state] = await getSql()`select version::int, base_sync_execution_id from identity_states where integration_id = ${integrationId}`;
  return { objects: objects.map((o) => `${o.object_type}:${o.external_id}:${o.hash}`), state: state ?? null };
}

async function scimIntegration(t: TestTenant, name: string) {
  return createIntegration(t.ctx("admin"), { name, connector: "scim", config: scimConfig() });
}

function apiRequest(secret: string, body?: unknown) {
  return new Request("http://localhost/api/v1/x", {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, ...(body ? { "content-type": "application/json", "content-length": "1" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}
const params = (id: string) => ({ params: Promise.resolve({ id }) });

describe("cancelling a running sync", () => {
  it("while it reads: it stops within seconds, ends cancelled with who cancelled it, and applies nothing", async () => {
    const t = await makeTenant();
    const { integration, sync: first } = await scimIntegration(t, "Slow SCIM");
    expect((await waitForEnd(t.id, first!.id)).status).toBe("post_sync_completed");
    const before = await currentState(integration.id);
    expect(before.objects.length).toBeGreaterThan(USERS);

    // A change the cancelled run would have applied.
    const changed = scim.addUser({ userName: "late@example.test", displayName: "Late" });
    scim.setDelay(400);
    try {
      const { sync } = await requestSync(t.ctx("operator"), integration.id, {});
      const reading = await waitUntil("the run to read some accounts", async () => {
        const r = await row(t.id, sync.id);
        return r.phase === "reading_accounts" && r.processed >= 10 ? r : null;
      });
      // SCIM says how many users there are: the run reports it as its total.
      expect(reading.total).toBe(USERS + 1);

      const asked = await cancelSync(t.ctx("operator"), sync.id);
      expect(asked).toMatchObject({ status: "syncing", cancelledByName: t.users.operator.email });
      expect(asked.cancelRequestedAt).not.toBeNull();
      const askedAt = Date.now();
      const ended = await waitForEnd(t.id, sync.id);
      expect(Date.now() - askedAt).toBeLessThan(5_000);
      expect(ended).toMatchObject({
        status: "cancelled",
        cancelledByName: t.users.operator.email,
        cancelledById: t.users.operator.id,
        phase: "reading_accounts",
        message: `Cancelled by ${t.users.operator.email} while reading accounts; nothing was applied.`,
      });
      expect(ended.endedAt).not.toBeNull();
      expect(await currentState(integration.id)).toEqual(before);
      expect((await currentState(integration.id)).objects.some((o) => o.includes(changed.id))).toBe(false);

      // The source is left alone once the run has stopped.
      const seen = scim.requests.length;
      await sleep(1_000);
      expect(scim.requests.length).toBe(seen);

      const audit = await expectAuditRow(t.id, "SyncExecution", "Cancel", "Slow SCIM sync");
      expect(audit).toMatchObject({ actorName: t.users.operator.email, details: "Cancelled a running sync while reading accounts" });
      await expect(cancelSync(t.ctx("operator"), sync.id)).rejects.toMatchObject({
        code: "conflict:sync_ended",
        message: `This sync already ended: it was cancelled by ${t.users.operator.email}.`,
      });
    } finally {
      scim.setDelay(0);
    }
  });

  it("records its phase as it goes, with what it read against the source's total", async () => {
    const t = await makeTenant();
    const { integration, sync: first } = await scimIntegration(t, "Phases");
    await waitForEnd(t.id, first!.id);
    scim.setDelay(150);
    try {
      const { sync } = await requestSync(t.ctx("operator"), integration.id, {});
      const seen: { phase: string | null; processed: number; total: number | null }[] = [];
      await waitUntil("the run to end", async () => {
        const r = await row(t.id, sync.id);
        if (r.status === "syncing" && seen.at(-1)?.phase !== r.phase) seen.push({ phase: r.phase, processed: r.processed, total: r.total });
        return ["post_sync_completed", "error"].includes(r.status) ? r : null;
      });
      const phases = seen.map((s) => s.phase);
      // Memberships come with each page of groups, so the run waits for the next page "reading memberships".
      expect(phases).toEqual(expect.arrayContaining(["connecting", "reading_accounts", "reading_memberships"]));
      // In the order a run goes through them: connecting, reading (pages of groups and their
      // memberships take turns), then the steps after reading.
      expect(phases[0]).toBe("connecting");
      const reading = phases.slice(1).filter((p) => p?.startsWith("reading_"));
      expect(phases.slice(1, 1 + reading.length)).toEqual(reading);
      const later = phases.slice(1 + reading.length).map((p) => SYNC_PHASES.indexOf(p as (typeof SYNC_PHASES)[number]));
      expect(later).toEqual([...later].sort((a, b) => a - b));
      expect(later.every((i) => i >= SYNC_PHASES.indexOf("comparing"))).toBe(true);
      expect(seen.find((s) => s.phase === "reading_accounts")?.total).toBeGreaterThanOrEqual(USERS);
      // The phase stays on the ended run: it shows where a failed one stopped.
      const done = await row(t.id, sync.id);
      expect(done).toMatchObject({ status: "post_sync_completed", phase: "applying", processed: done.total });
    } finally {
      scim.setDelay(0);
    }
  });

  it("while it applies: the apply does not commit, the current state is unchanged, the staged rows stay for the log", async () => {
    const t = await makeTenant();
    const csv = await makeCsvIntegration(t, "Locked", "externalId,username\na1,ann\na2,bob\na3,cy\n");
    await waitForEnd(t.id, csv.sync!.id);
    const before = await currentState(csv.integration.id);
    await csv.put("externalId,username\na1,ann-renamed\na2,bob\na3,cy\na4,di\n");

    // Holding the state row makes the run wait inside its apply transaction, as a long apply would.
    const holder = postgres(inject("databaseUrl"), { max: 1, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holding = holder.begin(async (tx) => {
      await tx`select version from identity_states where integration_id = ${csv.integration.id} for update`;
      locked();
      await held;
    });
    try {
      await isLocked;
      const { sync } = await requestSync(t.ctx("operator"), csv.integration.id, {});
      await waitUntil("the run to wait in its apply", async () => (await row(t.id, sync.id)).phase === "applying");
      await sleep(300);
      const asked = await cancelSync(t.ctx("admin"), sync.id);
      expect(asked.status).toBe("syncing");
      await sleep(1_500);
      // Still inside the apply, waiting for the lock.
      expect((await row(t.id, sync.id)).status).toBe("syncing");
      release();
      await holding;
      const ended = await waitForEnd(t.id, sync.id);
      expect(ended).toMatchObject({
        status: "cancelled",
        message: `Cancelled by ${t.users.admin.email} while applying changes; nothing was applied.`,
      });
      expect(await currentState(csv.integration.id)).toEqual(before);
      // What it read stays with it, as with any ended run.
      expect(ended.counts.account).toMatchObject({ extracted: 4, created: 1, updated: 1, unchanged: 2 });
      const log = await listSyncLog(t.ctx("viewer"), sync.id, {});
      expect(log.records).toHaveLength(4);
    } finally {
      release();
      await holding.catch(() => {});
      await holder.end();
    }
  });

  it("a cancel that lands after the apply's last check still keeps the apply from committing", async () => {
    const t = await makeTenant();
    const csv = await makeCsvIntegration(t, "Race", "externalId,username\nr1,ann\nr2,bob\n");
    await waitForEnd(t.id, csv.sync!.id);
    const before = await currentState(csv.integration.id);
    await csv.put("externalId,username\nr1,ann\nr2,bob-renamed\n");

    const holder = postgres(inject("databaseUrl"), { max: 2, onnotice: () => {} });
    const gates: (() => void)[] = [];
    const gate = () => new Promise<void>((r) => gates.push(r));
    try {
      // The state row held: the run waits in its apply, past the phase change.
      let stateLocked!: () => void;
      const stateIsLocked = new Promise<void>((r) => (stateLocked = r));
      const releaseState = gate();
      const holdingState = holder.begin(async (tx) => {
        await tx`select 1 from identity_states where integration_id = ${csv.integration.id} for update`;
        stateLocked();
        await releaseState;
      });
      await stateIsLocked;
      const { sync } = await requestSync(t.ctx("operator"), csv.integration.id, {});
      await waitUntil("the run to wait in its apply", async () => (await row(t.id, sync.id)).phase === "applying");

      // Now its own row held too (as the cancel service holds it), so the apply runs every
      // step and then waits at its final update, with no cancel in sight when it checked.
      let rowLocked!: () => void;
      const rowIsLocked = new Promise<void>((r) => (rowLocked = r));
      const releaseRow = gate();
      const holdingRow = holder.begin(async (tx) => {
        await tx`select 1 from sync_executions where id = ${sync.id} for no key update`;
        rowLocked();
        await releaseRow;
        // What cancelSync writes; its notification is left out, so only the row can stop the apply.
        await tx`update sync_executions set cancel_requested_at = now(), cancelled_by_name = 'racer@example.test' where id = ${sync.id}`;
      });
      await rowIsLocked;
      gates[0]();
      await holdingState;
      await waitUntil("the apply to wait at its final update", async () => {
        const [waiting] = await getSql()`
          select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%update "sync_executions" set status = ''completed''%'`;
        return !!waiting;
      });
      gates[1]();
      await holdingRow;
      const ended = await waitForEnd(t.id, sync.id);
      expect(ended).toMatchObject({
        status: "cancelled",
        message: "Cancelled by racer@example.test while applying changes; nothing was applied.",
      });
      expect(await currentState(csv.integration.id)).toEqual(before);
    } finally {
      for (const open of gates) open();
      await holder.end();
    }
  });

  it("a run whose worker died after a cancel was asked ends cancelled, not failed", async () => {
    const t = await makeTenant();
    const csv = await makeCsvIntegration(t, "dead-worker", "externalId,username\nd1,ann\n");
    await waitForEnd(t.id, csv.sync!.id);
    const [dead] = await getSql()`
      insert into sync_executions (tenant_id, integration_id, status, trigger, started_by_type, started_by_name, started_at, heartbeat_at,
                                   worker_id, cancel_requested_at, cancelled_by_name, phase)
      values (${t.id}, ${csv.integration.id}, 'syncing', 'manual', 'system', 'test', now() - interval '5 minutes', now() - interval '5 minutes',
              'gone', now() - interval '4 minutes', 'dora@example.test', 'reading_accounts')
      returning id`;
    const ended = await waitForEnd(t.id, dead.id, 40_000);
    expect(ended.status).toBe("cancelled");
    expect(ended.message).toMatch(/^Cancelled by dora@example\.test; its worker stopped responding/);
  }, 60_000);
});

describe("queued syncs", () => {
  let t: TestTenant;
  let other: TestTenant;
  let main: { integrationId: string; running: string };
  let extra: Worker[] = [];

  beforeAll(async () => {
    t = await makeTenant();
    other = await makeTenant();
    // Runs that read for a long time, one per integration, each on a worker of its own.
    scim.setDelay(1_500);
    extra = [0, 1].map(() => startWorker({ db: getDb(), idlePollSeconds: 0.2, heartbeatSeconds: 1, staleAfterSeconds: 30 }));
  });

  afterAll(async () => {
    scim.setDelay(0);
    await Promise.all(extra.map((w) => w.stop()));
  });

  async function runningSlowly(tenant: TestTenant, name: string) {
    const { integration, sync } = await scimIntegration(tenant, name);
    await waitUntil(`${name} to run`, async () => (await row(tenant.id, sync!.id)).status === "syncing");
    return { integrationId: integration.id, running: sync!.id };
  }

  it("a second request while one is queued joins it: one queued run, made full by a full request, idempotency kept", async () => {
    // Another tenant queued first, and one of this tenant's other integrations too.
    const theirs = await runningSlowly(other, "Their directory");
    const theirQueued = (await requestSync(other.ctx("admin"), theirs.integrationId, {})).sync;
    const side = await runningSlowly(t, "Side directory");
    const sideQueued = (await requestSync(t.ctx("admin"), side.integrationId, {})).sync;
    main = await runningSlowly(t, "Main directory");

    const first = await requestSync(t.ctx("operator"), main.integrationId, { mode: "delta" });
    expect(first).toMatchObject({ joined: false, replayed: false, sync: { status: "queued", mode: "delta" } });
    const second = await requestSync(t.ctx("admin"), main.integrationId, { mode: "full" });
    expect(second).toMatchObject({ joined: true, replayed: false, sync: { id: first.sync.id, mode: "full" } });
    const keyed = await requestSync(t.ctx("admin"), main.integrationId, { mode: "delta", idempotencyKey: "nightly-1" }, "api");
    expect(keyed).toMatchObject({ joined: true, sync: { id: first.sync.id, mode: "full" } });
    expect(await requestSync(t.ctx("admin"), main.integrationId, { idempotencyKey: "nightly-1" }, "api")).toMatchObject({
      replayed: true,
      sync: { id: first.sync.id },
    });
    // A settings save joins too: the queued run reads the settings when it starts.
    const saved = await updateIntegration(t.ctx("admin"), main.integrationId, { name: "Main directory (renamed)" });
    expect(saved.sync?.id).toBe(first.sync.id);
    // So does the API, and says so.
    const { secret } = await makeApiKeyCtx(t, ["syncs:run"]);
    const viaApi = await startRoute(apiRequest(secret, { mode: "delta" }), params(main.integrationId));
    expect(viaApi.status).toBe(202);
    expect(await viaApi.json()).toMatchObject({ joined: true, data: { id: first.sync.id, mode: "full" } });

    const [{ n }] =
      await getSql()`select count(*)::int as n from sync_executions where integration_id = ${main.integrationId} and status = 'queued'`;
    expect(n).toBe(1);

    // Its place counts this tenant's queued runs only, and says what it waits for.
    expect((await getSync(t.ctx("viewer"), first.sync.id)).queue).toEqual({ place: 2, waitsForRun: true });
    expect((await getSync(t.ctx("viewer"), sideQueued.id)).queue).toEqual({ place: 1, waitsForRun: true });
    expect((await getSync(other.ctx("viewer"), theirQueued.id)).queue).toEqual({ place: 1, waitsForRun: true });
    const history = await listSyncHistory(t.ctx("viewer"), main.integrationId);
    expect(history.syncs.find((s) => s.id === first.sync.id)?.queue).toEqual({ place: 2, waitsForRun: true });
    expect(history.syncs.find((s) => s.id === main.running)).toMatchObject({
      status: "syncing",
      queue: null,
      phase: expect.stringMatching(/^(connecting|reading_)/),
    });

    await cancelSync(other.ctx("admin"), theirQueued.id);
    await cancelSync(other.ctx("admin"), theirs.running);
    await cancelSync(t.ctx("admin"), sideQueued.id);
    await cancelSync(t.ctx("admin"), side.running);
  });

  it("evidence joins a queued run that has none, and is refused while the queued run already owns some", async () => {
    const [queued] = await getSql()`select id from sync_executions where integration_id = ${main.integrationId} and status = 'queued'`;
    const { sync, evidence } = await addEvidence(t.ctx("operator"), main.integrationId, { notes: "Reviewed the directory" });
    expect(sync.id).toBe(queued.id);
    expect(evidence.syncExecutionId).toBe(queued.id);
    await expect(addEvidence(t.ctx("operator"), main.integrationId, { notes: "More notes" })).rejects.toMatchObject({
      code: "conflict:sync_has_evidence",
      message: expect.stringContaining("already queued with evidence of its own"),
    });
  });

  it("a scheduled sync that falls due while one is queued does not stop the worker", async () => {
    await getSql()`update integrations set schedule_minutes = 60, next_sync_at = now() - interval '1 minute' where id = ${main.integrationId}`;
    await waitUntil("the schedule to be taken", async () => {
      const [i] = await getSql()`select next_sync_at > now() as moved from integrations where id = ${main.integrationId}`;
      return i.moved;
    });
    const [{ n }] =
      await getSql()`select count(*)::int as n from sync_executions where integration_id = ${main.integrationId} and status = 'queued'`;
    expect(n).toBe(1);
  });

  it("a queued sync is cancelled at once, through the API with the syncs:run scope only, in its own tenant only", async () => {
    const [queued] = await getSql()`select id from sync_executions where integration_id = ${main.integrationId} and status = 'queued'`;
    const readOnly = await makeApiKeyCtx(t, ["syncs:read"]);
    const refused = await cancelRoute(apiRequest(readOnly.secret), params(queued.id));
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe("forbidden:syncs:run");
    const theirs = await makeApiKeyCtx(other, ["syncs:run"]);
    expect((await cancelRoute(apiRequest(theirs.secret), params(queued.id))).status).toBe(404);
    expect((await row(t.id, queued.id)).status).toBe("queued");

    const key = await makeApiKeyCtx(t, ["syncs:run"]);
    const answer = await cancelRoute(apiRequest(key.secret), params(queued.id));
    expect(answer.status).toBe(200);
    const body = await answer.json();
    expect(body.data).toMatchObject({ id: queued.id, status: "cancelled", cancelledByName: key.apiKey.name });
    expect(body.data.message).toBe(`Cancelled by ${key.apiKey.name} before it started.`);
    expect(body.data).not.toHaveProperty("workerId");
    const ended = await row(t.id, queued.id);
    expect(ended.startedAt).toBeNull();
    expect(ended.endedAt).not.toBeNull();
    const audit = await expectAuditRow(t.id, "SyncExecution", "Cancel", "Main directory (renamed) sync");
    expect(audit).toMatchObject({ actorType: "api_key", details: "Cancelled a queued sync" });

    // The running one answers 202: asked to stop.
    const running = await cancelRoute(apiRequest(key.secret), params(main.running));
    expect(running.status).toBe(202);
    expect((await running.json()).data).toMatchObject({ status: "syncing", cancelledByName: key.apiKey.name });
    expect((await waitForEnd(t.id, main.running)).status).toBe("cancelled");
  });

  it("a cancelled run releases its slot: the next queued sync of the integration runs and completes", async () => {
    const { integrationId, running } = await runningSlowly(t, "Slot");
    const { sync: next } = await requestSync(t.ctx("operator"), integrationId, {});
    expect((await row(t.id, next.id)).status).toBe("queued");
    await cancelSync(t.ctx("operator"), running);
    scim.setDelay(0);
    expect((await waitForEnd(t.id, running)).status).toBe("cancelled");
    const done = await waitForEnd(t.id, next.id);
    expect(done.status).toBe("post_sync_completed");
    expect(done.counts.account?.extracted).toBeGreaterThan(USERS);
  });
});

describe("who may cancel what", () => {
  it("refuses roles without syncs:run, other tenants, unknown ids, and syncs that already ended", async () => {
    const t = await makeTenant();
    const csv = await makeCsvIntegration(t, "Done", "externalId,username\nx1,ann\n");
    await waitForEnd(t.id, csv.sync!.id);
    await expect(cancelSync(t.ctx("viewer"), csv.sync!.id)).rejects.toMatchObject({ code: "forbidden:syncs:run" });
    await expect(cancelSync(t.ctx("auditor"), csv.sync!.id)).rejects.toMatchObject({ code: "forbidden:syncs:run" });
    const other = await makeTenant();
    await expect(cancelSync(other.ctx("admin"), csv.sync!.id)).rejects.toMatchObject({ code: "not_found:sync" });
    await expect(cancelSync(t.ctx("admin"), "not-a-uuid")).rejects.toMatchObject({ code: "not_found:sync" });
    await expect(cancelSync(t.ctx("operator"), csv.sync!.id)).rejects.toMatchObject({
      code: "conflict:sync_ended",
      message: "This sync already ended: it completed and its data was applied.",
    });
  });

  it("a held run can be cancelled: it is never applied and can no longer be released", async () => {
    const t = await makeTenant();
    const csv = await makeCsvIntegration(t, "Shrinking", "externalId,username\nh1,a\nh2,b\nh3,c\nh4,d\n");
    await waitForEnd(t.id, csv.sync!.id);
    const before = await currentState(csv.integration.id);
    await csv.put("externalId,username\nh1,a\n");
    const { sync } = await requestSync(t.ctx("operator"), csv.integration.id, {});
    expect((await waitForEnd(t.id, sync.id)).status).toBe("held");
    const cancelled = await cancelSync(t.ctx("operator"), sync.id);
    expect(cancelled).toMatchObject({
      status: "cancelled",
      message: `Cancelled by ${t.users.operator.email} while it was held; its data will not be applied.`,
    });
    await expect(releaseHeldSync(t.ctx("admin"), sync.id)).rejects.toMatchObject({ code: "conflict:sync_not_held" });
    expect(await currentState(csv.integration.id)).toEqual(before);
    await expectAuditRow(t.id, "SyncExecution", "Cancel", "Shrinking sync");
  });
});

describe("a worker shutting down", () => {
  it("gives the run back to the queue, or ends it when a request for the integration queued meanwhile", async () => {
    const t = await makeTenant();
    const { integration, sync: first } = await scimIntegration(t, "Shutdown");
    await waitForEnd(t.id, first!.id);
    scim.setDelay(300);
    try {
      // Runs the engine as a worker would, with a shutdown signal of its own.
      const run = async (afterStart: (syncId: string) => Promise<void>) => {
        const [claimed] = await getSql()`
          insert into sync_executions (tenant_id, integration_id, status, trigger, started_by_type, started_by_name, started_at, heartbeat_at, worker_id, mode)
          values (${t.id}, ${integration.id}, 'syncing', 'manual', 'system', 'test', now(), now(), 'test-worker', 'full')
          returning id`;
        const exec = await row(t.id, claimed.id);
        const shutdown = new AbortController();
        const asked = scim.requests.length;
        const result = runSync(exec, {
          db: getDb(),
          workerId: "test-worker",
          signal: shutdown.signal,
          shutdown: shutdown.signal,
          onProgress: async () => {},
        });
        await waitUntil("the run to read", async () => scim.requests.slice(asked).some((r) => r.startsWith("GET /scim/v2/Users")));
        await afterStart(exec.id);
        shutdown.abort();
        return { id: exec.id, status: await result };
      };

      const requeued = await run(async () => {});
      expect(requeued.status).toBe("queued");
      // Back in the queue, for any worker to take again.
      const again = await row(t.id, requeued.id);
      expect(again.workerId === null || again.workerId !== "test-worker").toBe(true);
      expect((await waitForEnd(t.id, requeued.id)).status).toBe("post_sync_completed");

      let waiting = "";
      const folded = await run(async () => {
        waiting = (await requestSync(t.ctx("operator"), integration.id, { mode: "delta" })).sync.id;
      });
      expect(folded.status).toBe("cancelled");
      expect(await row(t.id, folded.id)).toMatchObject({
        status: "cancelled",
        cancelledByName: "system",
        message: "Stopped when its worker shut down; the sync queued since for this integration runs in its place.",
      });
      // The queued one does what the interrupted full run would have.
      expect((await row(t.id, waiting)).mode).toBe("full");
      scim.setDelay(0);
      expect((await waitForEnd(t.id, waiting)).status).toBe("post_sync_completed");
    } finally {
      scim.setDelay(0);
    }
  }, 60_000);
});
