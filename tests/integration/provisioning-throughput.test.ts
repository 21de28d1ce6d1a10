/**
 * The task engine under a backlog, against a real OpenLDAP (slapd) behind a
 * TCP relay that counts and can cut the connections: a lane claims several
 * tasks at once but never two of one account, and a bound connection serves
 * many tasks instead of one connect and bind each, surviving the directory
 * dropping it.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, getSql } from "@/db/client";
import { claimTasks, releaseTasks } from "@/db/queries/provisioning";
import { scimConnector } from "@/lib/connectors/scim";
import { createIntegration } from "@/lib/integrations/service";
import { enqueueTasks, type TaskInput } from "@/lib/provisioning/internal";
import { updateProvisioningSettings } from "@/lib/provisioning/service";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { makeTenant, waitForSyncEnd, type TestTenant } from "../helpers/factories";
import { startScimServer } from "../helpers/scim-server";
import { BASE_DN, generateDirectoryLdif, GROUPS_DN, PEOPLE_DN, startSlapd, type RunningSlapd } from "../helpers/slapd";
import { waitUntil } from "../helpers/wait";

let slapd: RunningSlapd;
/** Runs the integrations' first syncs, and no provisioning task: the tests say when tasks run. */
let syncer: Worker;
/** A relay to slapd: counts the connections opened through it and can cut those open. */
let relay: { url: string; opened: () => number; cut: () => void; close: () => Promise<void> };

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  slapd = await startSlapd();
  await slapd.addLdif([...generateDirectoryLdif({ users: 2, groups: 3, membershipsPerGroup: 1 })].join(""));
  syncer = startWorker({ db: getDb(), idlePollSeconds: 0.2, heartbeatSeconds: 1, provisioningConcurrency: 0 });
  const target = new URL(slapd.url);
  let opened = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    opened++;
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  relay = {
    url: `ldap://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    opened: () => opened,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
});

afterAll(async () => {
  await syncer?.stop();
  relay?.cut();
  await relay?.close();
  await slapd?.stop();
});

async function setup() {
  const t = await makeTenant();
  const { integration, sync } = await createIntegration(t.ctx("admin"), {
    name: "Directory through a relay",
    connector: "ldap",
    config: {
      url: relay.url,
      bindDn: slapd.bindDn,
      bindPassword: slapd.bindPassword,
      baseDn: BASE_DN,
      userBaseDn: PEOPLE_DN,
      groupBaseDn: GROUPS_DN,
    },
  });
  await waitForSyncEnd(t.id, sync!.id);
  await updateProvisioningSettings(t.ctx("admin"), { integrationId: integration.id, enabled: true, mode: "connector", settings: {} });
  return { t, integrationId: integration.id };
}

const create = (integrationId: string, username: string): TaskInput => ({
  integrationId,
  action: "create",
  account: { username },
  parameters: { attributes: { username, displayName: `User ${username}`, familyName: username } },
  source: "manual",
});
const grant = (integrationId: string, username: string, g: number): TaskInput => ({
  integrationId,
  action: "grant",
  account: { username },
  parameters: { group: { externalId: `cn=group${String(g).padStart(5, "0")},${GROUPS_DN}` } },
  source: "manual",
});

async function queue(t: TestTenant, inputs: TaskInput[]) {
  return getDb().transaction((tx) => enqueueTasks(tx, t.ctx("operator"), inputs));
}

describe("a backlog of provisioning tasks", () => {
  it("is claimed several tasks at a time, never two of one account: the later one waits for the earlier", async () => {
    const { t, integrationId } = await setup();
    const ids = (
      await queue(t, [
        create(integrationId, "ann"),
        grant(integrationId, "ann", 0),
        create(integrationId, "bob"),
        create(integrationId, "cy"),
      ])
    ).map((r) => r.id);
    const claimed = (await claimTasks(getDb(), "test-lane", 50)).filter((c) => ids.includes(c.id));
    try {
      expect(claimed.map((c) => c.objectName).sort()).toEqual(["ann", "bob", "cy"]);
      expect(claimed.every((c) => c.status === "running" && c.workerId === "test-lane" && c.attempts === 1)).toBe(true);
      // ann's create still holds her grant.
      expect((await claimTasks(getDb(), "other-lane", 50)).filter((c) => ids.includes(c.id))).toEqual([]);
    } finally {
      await releaseTasks(
        getDb(),
        claimed.map((c) => c.id),
        "test-lane",
      );
    }
    const rows = await getSql()`select status, attempts from provisioning_tasks where id = any(${ids}::uuid[])`;
    expect(rows.every((r) => r.status === "pending" && r.attempts === 0)).toBe(true);
    // Not left for the worker of the next test.
    await getSql()`update provisioning_tasks set status = 'cancelled' where id = any(${ids}::uuid[])`;
  });

  it("runs over a few kept LDAP connections, not one per task, and a connection the directory dropped is replaced without a failed attempt", async () => {
    const { t, integrationId } = await setup();
    const worker: Worker = startWorker({ db: getDb(), idlePollSeconds: 0.2, heartbeatSeconds: 1, staleAfterSeconds: 30 });
    try {
      const users = Array.from({ length: 20 }, (_, i) => `bulk${i}`);
      const before = relay.opened();
      const first = await queue(t, [...users.map((u) => create(integrationId, u)), ...users.map((u, i) => grant(integrationId, u, i % 3))]);
      const ended = async (ids: string[]) =>
        waitUntil("the tasks to end", async () => {
          const rows = await getSql()`select status, attempts, steps from provisioning_tasks where id = any(${ids}::uuid[])`;
          return rows.every((r) => !["pending", "running"].includes(r.status)) ? rows : null;
        });
      const rows = await ended(first.map((r) => r.id));
      expect(rows.map((r) => r.status)).toEqual(rows.map(() => "success"));
      // Four lanes, each with its own connection (a root read and bind once), for 40 tasks.
      expect(relay.opened() - before).toBeLessThanOrEqual(8);
      await waitUntil("every task's ledger entry", async () => {
        const [row] =
          await getSql()`select count(*)::int as n from ledger_entries where kind = 'provisioning_task' and ref_id = any(${first.map((r) => r.id)}::text[])
                                       and record::jsonb ? 'requestHash' and record::jsonb->>'responseHash' is not null`;
        return row.n === first.length;
      });

      // The directory drops every connection; the kept ones are found dead and replaced.
      relay.cut();
      const second = await queue(t, [create(integrationId, "afterdrop")]);
      const [after] = await ended(second.map((r) => r.id));
      expect(after.status).toBe("success");
      expect(after.attempts).toBe(1);
      expect(JSON.stringify(after.steps)).not.toContain(slapd.bindPassword);
    } finally {
      await worker.stop();
    }
  });
});

describe("grants on one SCIM group side by side", () => {
  it("all succeed: a PATCH refused with 412 because another member was added meanwhile reads the group again", async () => {
    const server = await startScimServer({ token: "throughput-token" });
    try {
      const config = scimConnector.configSchema.parse({ baseUrl: server.baseUrl, bearerToken: "throughput-token" });
      const users = Array.from({ length: 12 }, (_, i) => server.addUser({ userName: `side${i}`, active: true }));
      const group = server.addGroup({ displayName: "Crowded", members: [] });
      const results = await Promise.allSettled(
        users.map((u, i) =>
          scimConnector.provisioner!.apply(config, {
            taskId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
            objectType: "membership",
            action: "grant",
            account: { username: String(u.userName), externalId: u.id },
            group: { externalId: group.id },
            settings: {},
          }),
        ),
      );
      expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const members = ((server.group(group.id)?.members ?? []) as { value: string }[]).map((m) => m.value).sort();
      expect(members).toEqual(users.map((u) => u.id).sort());
    } finally {
      await server.stop();
    }
  });
});
