/** The engine in connector mode against a real OpenLDAP (slapd): a create, a resume after a dead worker that finds what the dead one wrote, and a delete the current state follows. */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, getSql } from "@/db/client";
import { ldapConnector } from "@/lib/connectors/ldap";
import { createIntegration } from "@/lib/integrations/service";
import { enqueueTask } from "@/lib/provisioning/internal";
import { createManualTask, getTask, updateProvisioningSettings } from "@/lib/provisioning/service";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { makeTenant, waitForSyncEnd, type TestTenant } from "../helpers/factories";
import { BASE_DN, generateDirectoryLdif, GROUPS_DN, PEOPLE_DN, startSlapd, type RunningSlapd } from "../helpers/slapd";
import { waitUntil } from "../helpers/wait";

let worker: Worker;
let slapd: RunningSlapd;

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  slapd = await startSlapd();
  await slapd.addLdif([...generateDirectoryLdif({ users: 5, groups: 1, membershipsPerGroup: 3 })].join(""));
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.2, heartbeatSeconds: 1, staleAfterSeconds: 30 });
});

afterAll(async () => {
  await worker?.stop();
  await slapd?.stop();
});

const ldapConfig = () => ({
  url: slapd.url,
  bindDn: slapd.bindDn,
  bindPassword: slapd.bindPassword,
  baseDn: BASE_DN,
  userBaseDn: PEOPLE_DN,
  groupBaseDn: GROUPS_DN,
});

async function setup() {
  const t = await makeTenant();
  const { integration, sync } = await createIntegration(t.ctx("admin"), {
    name: "Corporate LDAP",
    connector: "ldap",
    config: ldapConfig(),
  });
  await waitForSyncEnd(t.id, sync!.id);
  await updateProvisioningSettings(t.ctx("admin"), { integrationId: integration.id, enabled: true, mode: "connector", settings: {} });
  return { t, integrationId: integration.id };
}

async function waitForEnd(t: TestTenant, id: string) {
  return waitUntil(`task ${id} to end`, async () => {
    const row = await getTask(t.ctx("auditor"), id);
    return ["success", "failed"].includes(row.status) ? row : null;
  });
}

async function entriesNamed(uid: string) {
  const found: string[] = [];
  const gen = ldapConnector.extract(ldapConnector.configSchema.parse(ldapConfig()), { objectTypes: ["account"], cursors: null });
  for (let next = await gen.next(); !next.done; next = await gen.next()) {
    for (const r of next.value.records) if (String(r.attributes.uid ?? r.attributes.username ?? "") === uid) found.push(r.externalId);
  }
  return found;
}

describe("connector mode", () => {
  it("creates an account through the connector, keeping its new id, with the bind password nowhere in the log", async () => {
    const { t, integrationId } = await setup();
    const { id } = await createManualTask(t.ctx("operator"), {
      integrationId,
      action: "create",
      account: { username: "newhire" },
      attributes: { username: "newhire", displayName: "New Hire", familyName: "Hire" },
    });
    const done = await waitForEnd(t, id);
    expect(done.status).toBe("success");
    expect(done.accountExternalId).toBeTruthy();
    expect(await entriesNamed("newhire")).toEqual([done.accountExternalId]);
    expect(JSON.stringify([done.request, done.response, done.steps])).not.toContain(slapd.bindPassword);
  });

  it("resumes a create whose worker died after writing: the entry is found, not created twice", async () => {
    const { t, integrationId } = await setup();
    const params = { attributes: { username: "crashy", displayName: "Crash Test", familyName: "Test" } };
    // What the dead worker got done before it died: the entry exists.
    await ldapConnector.provisioner!.apply(ldapConnector.configSchema.parse(ldapConfig()), {
      taskId: "00000000-0000-4000-8000-000000000000",
      objectType: "account",
      action: "create",
      account: { username: "crashy" },
      attributes: params.attributes,
      settings: {},
    });
    const id = await getDb().transaction(async (tx) => {
      const row = await enqueueTask(tx, t.ctx("operator"), {
        integrationId,
        action: "create",
        account: { username: "crashy" },
        parameters: params,
        source: "manual",
      });
      await tx.execute(sql`update provisioning_tasks set status = 'running', attempts = 1, worker_id = 'dead-worker',
                             heartbeat_at = now() - interval '1 hour', started_at = now() - interval '1 hour' where id = ${row.id}`);
      return row.id;
    });
    const done = await waitForEnd(t, id);
    expect(done.status).toBe("success");
    expect(done.attempts).toBe(2);
    const log = done.steps.map((s) => s.message).join("\n");
    expect(log).toContain("stopped responding");
    expect(log).toContain("already was in the requested state");
    expect(await entriesNamed("crashy")).toHaveLength(1);
  });

  it("a deleted account leaves SyncLedger's current state with its memberships", async () => {
    const { t, integrationId } = await setup();
    const [{ external_id: account }] = await getSql()`
      select external_id from identity_objects where integration_id = ${integrationId} and object_type = 'account' and fields->>'username' = 'user000000'`;
    const memberships = async () =>
      (
        await getSql()`select count(*)::int as n from identity_objects where integration_id = ${integrationId}
                        and object_type = 'membership' and fields->>'memberExternalId' = ${account}`
      )[0].n as number;
    expect(await memberships()).toBeGreaterThan(0);
    const { id } = await createManualTask(t.ctx("operator"), { integrationId, action: "delete", account: { username: "user000000" } });
    const done = await waitForEnd(t, id);
    expect(done.status).toBe("success");
    expect(await entriesNamed("user000000")).toHaveLength(0);
    const left =
      await getSql()`select count(*)::int as n from identity_objects where integration_id = ${integrationId} and external_id = ${account}`;
    expect(left[0].n).toBe(0);
    expect(await memberships()).toBe(0);
  });
});
