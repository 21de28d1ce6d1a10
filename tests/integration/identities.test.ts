/**
 * An integration's accounts as its current state holds them, after a real
 * CSV sync: the list by username with search and keyset pages, one account
 * with its group memberships and provisioning tasks, the groups a grant
 * chooses from, and who may read them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { isAppError } from "@/lib/errors";
import { getAccount, listAccounts, listGroups, type AccountListItem } from "@/lib/identities/service";
import { createManualTask, updateProvisioningSettings } from "@/lib/provisioning/service";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { makeCsvDirectory, makeTenant, waitForSyncEnd, type TestTenant } from "../helpers/factories";

let worker: Worker;
let t: TestTenant;
let other: TestTenant;
let dir: string;

const N = 130;
// Usernames in an order unlike their ids, with mixed case, so the list's order is seen to be the username's.
const username = (i: number) => (i % 2 ? `User${String(N - i).padStart(3, "0")}` : `user${String(N - i).padStart(3, "0")}`);

async function refusal(work: Promise<unknown>) {
  try {
    await work;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  worker = startWorker({ db: getDb(), idlePollSeconds: 0.1, heartbeatSeconds: 1 });
  [t, other] = await Promise.all([makeTenant(), makeTenant()]);
  const accounts = `externalId,username,email,displayName,status\n${Array.from(
    { length: N },
    (_, i) => `id-${i},${username(i)},${username(i).toLowerCase()}@example.com,Person ${i},${i === 7 ? "disabled" : "active"}`,
  ).join("\n")}\nid-x,carol.x,carol@corp.example,Carol Example,active\n`;
  const created = await makeCsvDirectory(t, "Directory", {
    accounts,
    groups: "externalId,name\ng-eng,Engineering\ng-ops,Operations\ng-all,All Staff\n",
    memberships: "groupExternalId,memberExternalId\ng-eng,id-x\ng-all,id-x\ng-all,id-1\n",
  });
  expect((await waitForSyncEnd(t.id, created.sync!.id)).status).toBe("post_sync_completed");
  dir = created.integration.id;
}, 60_000);

afterAll(async () => {
  await worker?.stop();
});

describe("listAccounts", () => {
  it("pages through every account by username, case-insensitively, without repeats", async () => {
    const seen: AccountListItem[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await listAccounts(t.ctx("viewer"), dir, { after, limit: 50 });
      seen.push(...page.items);
      after = page.next ?? undefined;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(N + 1);
    expect(new Set(seen.map((a) => a.externalId)).size).toBe(N + 1);
    const names = seen.map((a) => a.fields.username!);
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(names[0]).toBe("carol.x");
    expect(names[1].toLowerCase()).toBe("user001");
  });

  it("searches the username, email, display name and external id", async () => {
    const by = async (q: string) => (await listAccounts(t.ctx("operator"), dir, { q })).items.map((a) => a.externalId);
    expect(await by("corp.example")).toEqual(["id-x"]);
    expect(await by("carol ex")).toEqual(["id-x"]);
    expect(await by("USER12")).toHaveLength(10); // user120 … user129
    expect(await by("id-12")).toEqual(expect.arrayContaining(["id-12", "id-120", "id-129"]));
    // LIKE's wildcards are taken literally.
    expect(await by("%")).toEqual([]);
  });

  it("refuses a page link that was edited, and roles and tenants that may not read", async () => {
    expect((await refusal(listAccounts(t.ctx("admin"), dir, { after: "bm90IGpzb24" }))).code).toBe("bad_request:cursor");
    expect((await refusal(listAccounts(t.ctx("reviewer"), dir))).kind).toBe("forbidden");
    expect((await refusal(listAccounts(other.ctx("admin"), dir))).code).toBe("not_found:integration");
    expect((await refusal(listAccounts(t.ctx("admin"), "not-a-uuid"))).code).toBe("not_found:integration");
  });
});

describe("getAccount", () => {
  it("shows an account's fields and its memberships with group names, from the current state", async () => {
    const view = await getAccount(t.ctx("viewer"), dir, "id-x");
    expect(view.account).toMatchObject({ externalId: "id-x", username: "carol.x", fields: { email: "carol@corp.example" } });
    expect(view.memberships).toEqual([
      { groupExternalId: "g-all", groupName: "All Staff" },
      { groupExternalId: "g-eng", groupName: "Engineering" },
    ]);
    // A viewer does not read provisioning.
    expect(view.tasks).toBeNull();
    expect((await refusal(getAccount(t.ctx("admin"), dir, "id-nope"))).code).toBe("not_found:account");
    expect((await refusal(getAccount(other.ctx("admin"), dir, "id-x"))).code).toBe("not_found:integration");
  });

  it("lists the provisioning tasks on the account and its memberships, not another account's", async () => {
    await updateProvisioningSettings(t.ctx("admin"), { integrationId: dir, enabled: true, mode: "manual" });
    const ref = { username: "carol.x", externalId: "id-x" };
    await createManualTask(t.ctx("operator"), { integrationId: dir, action: "disable", account: ref });
    await createManualTask(t.ctx("operator"), {
      integrationId: dir,
      action: "revoke",
      account: ref,
      group: { externalId: "g-eng", name: "Engineering" },
    });
    // A different account whose name contains this one's.
    await createManualTask(t.ctx("operator"), { integrationId: dir, action: "disable", account: { username: "carol.xy" } });
    const view = await getAccount(t.ctx("auditor"), dir, "id-x");
    expect(view.tasks?.map((x) => [x.action, x.objectName])).toEqual([
      ["revoke", "carol.x → Engineering"],
      ["disable", "carol.x"],
    ]);
    // Manual fulfilment: the first waits, running, for Confirm; the revoke waits behind it.
    for (const task of view.tasks ?? []) expect(["pending", "running"]).toContain(task.status);
  });
});

describe("listGroups", () => {
  it("lists the integration's groups by name for a grant to choose from", async () => {
    expect(await listGroups(t.ctx("operator"), dir)).toEqual([
      { externalId: "g-all", name: "All Staff", description: null },
      { externalId: "g-eng", name: "Engineering", description: null },
      { externalId: "g-ops", name: "Operations", description: null },
    ]);
  });
});
