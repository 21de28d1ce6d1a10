/**
 * The database going away under the app: a real Postgres of this file's own
 * (embedded, restarted for real; the shared test database is left alone), a
 * real SCIM service provider slowed so a sync is mid-read when it happens, and
 * a backend terminated while a read waits on a lock.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb, getSql } from "@/db/client";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import { ensureLoginRole, grantAppPrivileges, migrateDatabase } from "@/db/migrate";
import { freePort } from "@/db/scratch";
import { getSyncExecution, type SyncExecutionRow } from "@/db/queries/syncs";
import { GET as listIntegrationsRoute } from "@/app/api/v1/integrations/route";
import { resetConfigCache } from "@/lib/config";
import { createIntegration } from "@/lib/integrations/service";
import { getSync, requestSync } from "@/lib/syncs/service";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { makeApiKeyCtx, makeTenant } from "../helpers/factories";
import { startScimServer, type RunningScimServer } from "../helpers/scim-server";

const TOKEN = "scim-restart-token-7d1e";
const USERS = 40;

let pg: EmbeddedDatabase;
let pgOptions: Parameters<typeof startEmbeddedPostgres>[0];
let dir: string;
let scim: RunningScimServer;
let worker: Worker;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-restart-pg-"));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  pgOptions = { dataDir: path.join(dir, "data"), port, password: "restart-super-pw", ownerPassword: "restart-owner-pw" };
  pg = await startEmbeddedPostgres(pgOptions);
  await migrateDatabase(pg.ownerUrl);
  await ensureLoginRole(pg.superuserUrl, "syncledger_app", "restart-app-pw");
  await grantAppPrivileges(pg.ownerUrl, "syncledger_app");
  await closeDb();
  process.env.DATABASE_URL = `postgres://syncledger_app:restart-app-pw@127.0.0.1:${port}/syncledger`;
  // The staging writer's COPY connections read the URL from the configuration.
  resetConfigCache();

  scim = await startScimServer({ token: TOKEN });
  for (let i = 0; i < USERS; i++) scim.addUser({ userName: `p${i}@example.test`, displayName: `Person ${i}` });
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.2, heartbeatSeconds: 1, staleAfterSeconds: 60 });
}, 120_000);

afterAll(async () => {
  scim?.setDelay(0);
  await worker?.stop();
  await closeDb();
  await scim?.stop();
  await pg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const ended = (tenantId: string, id: string, timeoutMs?: number) =>
  waitUntil(
    `sync ${id} to end`,
    async () => {
      const r = await getSyncExecution(getDb(), tenantId, id);
      return r && !["queued", "syncing", "completed"].includes(r.status) ? r : null;
    },
    timeoutMs,
  );

describe("a Postgres restart", () => {
  it("ends the sync it cut off with a sentence, applies nothing, and runs it again once when the database is back", {
    timeout: 120_000,
  }, async () => {
    const t = await makeTenant();
    const { integration, sync: first } = await createIntegration(t.ctx("admin"), {
      name: "Restarted SCIM",
      connector: "scim",
      config: { baseUrl: scim.baseUrl, bearerToken: TOKEN, pageSize: 5 },
    });
    expect((await ended(t.id, first!.id)).status).toBe("post_sync_completed");
    const [before] = await getSql()`select version::int as version from identity_states where integration_id = ${integration.id}`;

    scim.addUser({ userName: "late@example.test", displayName: "Late" });
    scim.setDelay(300);
    const { sync } = await requestSync(t.ctx("operator"), integration.id, {});
    await waitUntil("the run to be reading", async () => {
      const r = await getSyncExecution(getDb(), t.id, sync.id);
      return r?.phase === "reading_accounts" && r.processed >= 10;
    });

    await pg.stop();
    await sleep(1_000);
    pg = await startEmbeddedPostgres(pgOptions);
    scim.setDelay(0);

    const cut: SyncExecutionRow = await ended(t.id, sync.id, 60_000);
    expect(cut.status).toBe("error");
    expect(cut.message).toBe(
      "The database connection was lost while reading accounts; nothing was applied. It was queued again now that the database is back.",
    );
    const [retry] = await getSql()<{ id: string }[]>`select id from sync_executions where retry_of_id = ${sync.id}`;
    expect(retry).toBeDefined();
    // The retry says which run it repeats; the backend a run used stays inside.
    const shown = await getSync(t.ctx("viewer"), retry.id);
    expect(shown.retryOfId).toBe(sync.id);
    expect(shown).not.toHaveProperty("backendPid");
    const again = await ended(t.id, retry.id, 60_000);
    expect(again.status).toBe("post_sync_completed");
    // Only the retry applied anything: one version after the first sync's.
    const [after] = await getSql()`select version::int as version from identity_states where integration_id = ${integration.id}`;
    expect(after.version).toBe(before.version + 1);
    const [late] =
      await getSql()`select count(*)::int as n from identity_objects where integration_id = ${integration.id} and external_id like '%' and fields->>'username' = 'late@example.test'`;
    expect(late.n).toBe(1);
  });

  it("a read whose connection was closed under it is answered, not failed", { timeout: 60_000 }, async () => {
    const t = await makeTenant();
    await createIntegration(t.ctx("admin"), { name: "Listed", connector: "scim", config: { baseUrl: scim.baseUrl, bearerToken: TOKEN } });
    const { secret } = await makeApiKeyCtx(t, ["integrations:read"]);

    // The list read waits on a lock; its backend is terminated while it waits, as a restart would.
    const owner = postgres(pg.ownerUrl, { max: 1, onnotice: () => {} });
    const superuser = postgres(pg.superuserUrl, { max: 1, onnotice: () => {} });
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const locking = owner.begin(async (tx) => {
        await tx`lock table integrations in access exclusive mode`;
        await held;
      });
      await sleep(100);
      const answer = listIntegrationsRoute(
        new Request("http://localhost/api/v1/integrations", { headers: { authorization: `Bearer ${secret}` } }),
        {
          params: Promise.resolve({}),
        },
      );
      const [waiting] = await waitUntil("the read to wait on the lock", async () => {
        const rows = await superuser`
          select pid from pg_stat_activity where usename = 'syncledger_app' and wait_event_type = 'Lock' and query ilike '%integrations%'`;
        return rows.length ? rows : null;
      });
      await superuser`select pg_terminate_backend(${waiting.pid})`;
      release();
      await locking;
      const response = await answer;
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: { items?: { name: string }[] } | { name: string }[] };
      expect(JSON.stringify(body)).toContain("Listed");
    } finally {
      await owner.end({ timeout: 1 });
      await superuser.end({ timeout: 1 });
    }
  });
});
