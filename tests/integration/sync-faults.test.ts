/**
 * Faults a sync meets in the database: a dead worker's statement left running
 * in Postgres. Real Postgres backends throughout; the "dead worker" is a
 * connection of the app's role whose run stopped heartbeating.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb, getSql } from "@/db/client";
import { getSyncExecution } from "@/db/queries/syncs";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { makeCsvIntegration, makeTenant } from "../helpers/factories";
import { waitUntil } from "../helpers/wait";

let worker: Worker;

beforeAll(() => {
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.2, heartbeatSeconds: 1, staleAfterSeconds: 30 });
});

afterAll(async () => {
  await worker?.stop();
});

describe("a run whose worker died inside a statement", () => {
  it("a backend whose client went away notices within seconds on the embedded database", async () => {
    const [row] = await getSql()`show client_connection_check_interval`;
    expect(row.client_connection_check_interval).toBe("5s");
  });

  it("ends error and its statement stops running in Postgres", { timeout: 90_000 }, async () => {
    const t = await makeTenant();
    const { integration, sync: first } = await makeCsvIntegration(t, "Dead-worker", "externalId,username\na1,ann\n");
    await waitUntil("the first sync to end", async () => {
      const r = await getSyncExecution(getDb(), t.id, first!.id);
      return r && !["queued", "syncing", "completed"].includes(r.status) ? r : null;
    });

    // The dead worker's connection, of the app's role, deep in a long statement.
    const dead = postgres(inject("databaseUrl"), { max: 1, onnotice: () => {} });
    try {
      const [{ pid }] = await dead<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const statement = dead`select pg_sleep(600)`.then(
        () => "finished",
        (e: Error) => e.message,
      );
      await waitUntil("the statement to run", async () => {
        const [a] = await getSql()`select state from pg_stat_activity where pid = ${pid}`;
        return a?.state === "active";
      });
      // Claimed on that connection just after it opened, and silent for longer than the 30 s a worker waits.
      await waitUntil(
        "the connection to be older than the stale limit",
        async () => {
          const [a] = await getSql()`select backend_start < now() - interval '31 seconds' as old from pg_stat_activity where pid = ${pid}`;
          return a?.old;
        },
        60_000,
      );
      const [run] = await getSql()<{ id: string }[]>`
        insert into sync_executions (tenant_id, integration_id, status, trigger, started_by_type, started_by_name,
                                     started_at, heartbeat_at, worker_id, attempts, backend_pid, phase)
        values (${t.id}, ${integration.id}, 'syncing', 'manual', 'user', 'someone', now() - interval '3 minutes',
                (select backend_start + interval '0.5 seconds' from pg_stat_activity where pid = ${pid}), 'gone-host:1:dead', 1, ${pid}, 'applying')
        returning id`;

      const ended = await waitUntil("the dead run to end", async () => {
        const r = await getSyncExecution(getDb(), t.id, run.id);
        return r?.status === "error" ? r : null;
      });
      expect(ended.message).toMatch(/stopped responding/);
      // Its statement was cancelled, not left to sleep out its ten minutes.
      expect(await statement).toMatch(/cancel/i);
      const [still] = await getSql()`select state from pg_stat_activity where pid = ${pid} and state <> 'idle'`;
      expect(still).toBeUndefined();
    } finally {
      await dead.end({ timeout: 1 });
    }
  });
});
