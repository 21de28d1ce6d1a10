import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, getSql } from "@/db/client";
import { POST as callbackRoute } from "@/app/api/v1/provisioning/callbacks/[id]/route";
import { verifyTenantLedger } from "@/lib/ledger/verify";
import { enqueueTask } from "@/lib/provisioning/internal";
import {
  cancelTask,
  confirmTask,
  createManualTask,
  getTask,
  listTasks,
  retryTask,
  updateProvisioningSettings,
} from "@/lib/provisioning/service";
import { requestSync } from "@/lib/syncs/service";
import { startWorker, type Worker } from "@/lib/syncs/worker";
import { receiveUpload } from "@/lib/uploads/service";
import { startCallbackTarget, type CallbackTarget, type Deliver } from "../helpers/callback-target";
import { expectAuditRow, makeCsvDirectory, makeTenant, type TestTenant, waitForSyncEnd } from "../helpers/factories";
import { sleep, waitUntil } from "../helpers/wait";

let worker: Worker;
let target: CallbackTarget;

/** The callback target calls the route handler itself: these tests run without an HTTP server. */
const deliver: Deliver = async (url, body) => {
  const id = new URL(url).pathname.split("/").pop()!;
  const res = await callbackRoute(
    new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    { params: Promise.resolve({ id }) },
  );
  return { status: res.status, body: await res.json() };
};

async function callBack(url: string, body: unknown) {
  return deliver(url, body);
}

beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
  target = await startCallbackTarget(deliver);
  worker = startWorker({
    db: getDb(),
    idlePollSeconds: 0.2,
    heartbeatSeconds: 1,
    staleAfterSeconds: 30,
    provisioningRetry: { maxAttempts: 3, baseMs: 300, maxMs: 5_000 },
    callbackRequestTimeoutMs: 3_000,
  });
});

afterAll(async () => {
  await worker?.stop();
  await target?.stop();
});

const FILES = {
  accounts: "externalId,username,displayName,status\nu1,alice,Alice Adams,enabled\nu2,bob,Bob Brown,enabled\n",
  groups: "externalId,name\ng1,Payments\n",
  memberships: "groupExternalId,memberExternalId\ng1,u1\ng1,u2\n",
};

/** A tenant with a synced CSV directory provisioned in `mode`. */
async function setup(mode: "callback" | "manual" = "callback", opts: { token?: string } = {}) {
  const t = await makeTenant();
  const dir = await makeCsvDirectory(t, "HR", FILES);
  await waitForSyncEnd(t.id, dir.sync!.id);
  const integrationId = dir.integration.id;
  await updateProvisioningSettings(t.ctx("admin"), {
    integrationId,
    enabled: true,
    mode,
    ...(mode === "callback" ? { callback: { url: target.url, token: opts.token ?? "target-secret-token" } } : {}),
    callbackTimeoutMinutes: 5,
  });
  return { t, integrationId, dir };
}

const task = (t: TestTenant, id: string) => getTask(t.ctx("auditor"), id);

async function waitForStatus(t: TestTenant, id: string, statuses: string[], timeoutMs = 20_000) {
  return waitUntil(
    `task ${id} to be ${statuses.join("/")}`,
    async () => {
      const row = await task(t, id);
      return statuses.includes(row.status) ? row : null;
    },
    timeoutMs,
  );
}

const op = (integrationId: string, action: string, username: string, extra: Record<string, unknown> = {}) => ({
  integrationId,
  action,
  account: { username },
  ...extra,
});

function receivedFor(taskId: string) {
  return target.received.filter((r) => r.taskId === taskId);
}

describe("callback targets", () => {
  it("send the operation with a bearer token and a single-use callback URL; the callback finishes the task", async () => {
    const { t, integrationId } = await setup();
    target.behave({ kind: "success", accountExternalId: "new-99" });
    const { id } = await createManualTask(
      t.ctx("operator"),
      op(integrationId, "create", "dave", { attributes: { username: "dave", displayName: "Dave Doe" } }),
    );
    const done = await waitForStatus(t, id, ["success", "failed"]);
    expect(done.status).toBe("success");
    expect(done.accountExternalId).toBe("new-99");
    const [sent] = receivedFor(id);
    expect(sent.authorization).toBe("Bearer target-secret-token");
    expect(sent.operation).toMatchObject({ action: "create", account: { username: "dave" }, attributes: { displayName: "Dave Doe" } });
    // The stored request never shows the token: neither the bearer nor the callback URL's.
    const stored = JSON.stringify(done.request);
    expect(stored).not.toContain("target-secret-token");
    expect(stored).not.toContain(new URL(sent.callbackUrl).searchParams.get("token")!);
    expect(done.requestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(done.responseHash).toMatch(/^[0-9a-f]{64}$/);
    const log = done.steps.map((s) => s.message).join("\n");
    expect(log).toContain("accepted the operation (HTTP 202)");
    expect(log).toContain("Callback: success");

    // The URL works once.
    const again = await callBack(sent.callbackUrl, { status: "failed" });
    expect(again.status).toBe(410);
    expect(JSON.stringify(again.body)).toContain("already used");
    expect((await task(t, id)).status).toBe("success");
    expect((await task(t, id)).steps.at(-1)!.message).toContain("Callback refused: This callback URL was already used");
  });

  it("a failed callback fails the task with the target's message and holds the later tasks on that account until confirmed", async () => {
    const { t, integrationId } = await setup();
    target.behave({ kind: "failed", message: "Mailbox quota service is down" }, { kind: "success" });
    const first = await createManualTask(t.ctx("operator"), op(integrationId, "disable", "alice"));
    const second = await createManualTask(t.ctx("operator"), op(integrationId, "enable", "Alice"));
    const failed = await waitForStatus(t, first.id, ["failed", "success"]);
    expect(failed.status).toBe("failed");
    expect(failed.message).toBe("Mailbox quota service is down");
    await sleep(1_000);
    const held = await task(t, second.id);
    expect(held.status).toBe("pending");
    expect(held.attempts).toBe(0);
    expect(receivedFor(second.id)).toHaveLength(0);

    await expect(confirmTask(t.ctx("operator"), first.id, { reason: "  " })).rejects.toMatchObject({ code: "unprocessable:validation" });
    const confirmed = await confirmTask(t.ctx("operator"), first.id, { reason: "Disabled by hand in the admin console" });
    expect(confirmed).toMatchObject({ status: "confirmed", released: 1 });
    const after = await waitForStatus(t, second.id, ["success", "failed"]);
    expect(after.status).toBe("success");
    const row = await task(t, first.id);
    expect(row).toMatchObject({ status: "confirmed", outcome: "failed", confirmReason: "Disabled by hand in the admin console" });
    expect(row.confirmedByName).toBe(t.users.operator.email);
    await expectAuditRow(t.id, "ProvisioningTask", "Confirm", row.objectName);
    // A confirmed task cannot be confirmed again.
    await expect(confirmTask(t.ctx("operator"), first.id, { reason: "again" })).rejects.toMatchObject({
      code: "conflict:provisioning_task_not_confirmable",
    });
  });

  it("refuses a callback with a wrong token (403) or none (401) and a bad body (400), noting each on the task", async () => {
    const { t, integrationId } = await setup();
    target.behave({ kind: "silent" });
    const { id } = await createManualTask(t.ctx("operator"), op(integrationId, "disable", "bob"));
    await waitUntil("the operation to reach the target", async () => receivedFor(id)[0]);
    const url = new URL(receivedFor(id)[0].callbackUrl);
    const forged = new URL(url);
    forged.searchParams.set("token", "A".repeat(43));
    expect((await callBack(forged.toString(), { status: "success" })).status).toBe(403);
    const bare = new URL(url);
    bare.search = "";
    expect((await callBack(bare.toString(), { status: "success" })).status).toBe(401);
    const bad = await callBack(url.toString(), { status: "done" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("status");
    let row = await task(t, id);
    expect(row.status).toBe("running");
    const log = row.steps.map((s) => s.message).join("\n");
    expect(log).toContain("token does not match");
    expect(log).toContain("has no token");
    expect(log).toContain("not a valid callback");
    // The bad body did not use the URL up: the right callback still works.
    expect((await callBack(url.toString(), { status: "success" })).status).toBe(200);
    row = await task(t, id);
    expect(row.status).toBe("success");
  });

  it("ends a task whose callback never came as No callback; a late callback is refused as expired (410)", async () => {
    const { t, integrationId } = await setup();
    target.behave({ kind: "silent" });
    const { id } = await createManualTask(t.ctx("operator"), op(integrationId, "disable", "bob"));
    await waitUntil("the task to wait for its callback", async () => (await task(t, id)).callbackExpiresAt && receivedFor(id)[0]);
    // As if the five minutes had gone by.
    await getSql()`update provisioning_tasks set callback_expires_at = now() - interval '1 second' where id = ${id}`;
    const row = await waitForStatus(t, id, ["no_callback"]);
    expect(row.outcome).toBe("no_callback");
    expect(row.message).toMatch(/No callback arrived before/);
    const late = await callBack(receivedFor(id)[0].callbackUrl, { status: "success" });
    expect(late.status).toBe(410);
    expect(JSON.stringify(late.body)).toContain("expired");
    expect((await task(t, id)).status).toBe("no_callback");
  });

  it("retries 500 and 429 with backoff, honouring Retry-After, and fails with the target's words after the last attempt", async () => {
    const { t, integrationId } = await setup();
    target.behave(
      { kind: "status", status: 500, body: { message: "database is locked" } },
      { kind: "status", status: 429, retryAfter: "1", body: { detail: "slow down" } },
      { kind: "success" },
    );
    const stamps: number[] = [];
    const { id } = await createManualTask(t.ctx("operator"), op(integrationId, "disable", "alice"));
    await waitUntil("three attempts", async () => {
      while (stamps.length < receivedFor(id).length) stamps.push(Date.now());
      return receivedFor(id).length >= 3;
    });
    const done = await waitForStatus(t, id, ["success", "failed"]);
    expect(done.status).toBe("success");
    expect(done.attempts).toBe(3);
    expect(stamps[2] - stamps[1]).toBeGreaterThanOrEqual(900);
    const log = done.steps.map((s) => s.message).join("\n");
    expect(log).toContain("Attempt 1 failed: The callback endpoint answered HTTP 500: database is locked.");
    expect(log).toContain("Attempt 2 failed: The callback endpoint answered HTTP 429: slow down. Trying again in 1 s");

    target.behave({ kind: "status", status: 503, body: { message: "maintenance" } });
    const second = await createManualTask(t.ctx("operator"), op(integrationId, "disable", "bob"));
    const failed = await waitForStatus(t, second.id, ["failed", "success"]);
    expect(failed.status).toBe("failed");
    expect(failed.attempts).toBe(3);
    expect(failed.message).toBe("The callback endpoint answered HTTP 503: maintenance. Gave up after 3 attempts.");
    expect(failed.response).toMatchObject({ status: 503, body: { message: "maintenance" } });
  });

  it("fails at once, with a clear message, on a 4xx or an answer that is not HTTP", async () => {
    const { t, integrationId } = await setup();
    target.behave({ kind: "status", status: 400, body: { error: { message: "unknown attribute shoeSize" } } });
    const a = await createManualTask(t.ctx("operator"), op(integrationId, "disable", "alice"));
    const refused = await waitForStatus(t, a.id, ["failed", "success"]);
    expect(refused).toMatchObject({
      status: "failed",
      attempts: 1,
      message: "The callback endpoint answered HTTP 400: unknown attribute shoeSize.",
    });

    target.behave({ kind: "garbage" });
    const b = await createManualTask(t.ctx("operator"), op(integrationId, "disable", "bob"));
    const garbage = await waitForStatus(t, b.id, ["failed", "success"]);
    expect(garbage.status).toBe("failed");
    expect(garbage.attempts).toBe(1);
    expect(garbage.message).toMatch(/answered with something that is not HTTP/);
  });
});

describe("ordering, retry and cancel", () => {
  it("Retry After Modification runs a new task in the original's place; the original is superseded", async () => {
    const { t, integrationId } = await setup();
    target.behave({ kind: "failed", message: "attribute mail is not unique" }, { kind: "success" });
    const original = await createManualTask(t.ctx("operator"), op(integrationId, "update", "alice", { attributes: { email: "a@x.test" } }));
    const later = await createManualTask(t.ctx("operator"), op(integrationId, "disable", "alice"));
    await waitForStatus(t, original.id, ["failed"]);

    await expect(retryTask(t.ctx("operator"), original.id, { parameters: { group: { externalId: "g1" } } })).rejects.toMatchObject({
      code: "unprocessable:validation",
    });
    await expect(retryTask(t.ctx("operator"), later.id, { parameters: {} })).rejects.toMatchObject({
      code: "conflict:provisioning_task_not_retryable",
    });
    const retry = await retryTask(t.ctx("operator"), original.id, { parameters: { attributes: { email: "alice@x.test" } } });
    const done = await waitForStatus(t, retry.id, ["success", "failed"]);
    expect(done).toMatchObject({
      status: "success",
      source: "retry_after_modification",
      retryOfId: original.id,
      sourceRefType: "task",
      sourceRefId: original.id,
      parameters: { attributes: { email: "alice@x.test" } },
    });
    expect((await task(t, original.id)).status).toBe("superseded");
    await waitForStatus(t, later.id, ["success"]);
    // The later task waited for the retry although it was queued before it.
    const order = target.received.filter((r) => [original.id, retry.id, later.id].includes(r.taskId)).map((r) => r.taskId);
    expect(order).toEqual([original.id, retry.id, later.id]);
    expect(receivedFor(retry.id)[0].operation).toMatchObject({ attributes: { email: "alice@x.test" } });
    await expectAuditRow(t.id, "ProvisioningTask", "Retry");
  });

  it("cancels a pending task only; the tasks on other accounts never wait for one another", async () => {
    const { t, integrationId } = await setup();
    target.behave({ kind: "silent" });
    const blocking = await createManualTask(t.ctx("operator"), op(integrationId, "disable", "alice"));
    const behind = await createManualTask(t.ctx("operator"), op(integrationId, "enable", "alice"));
    const other = await createManualTask(t.ctx("operator"), op(integrationId, "disable", "bob"));
    await waitUntil("bob's task to be sent", async () => receivedFor(other.id)[0]);
    expect((await task(t, behind.id)).status).toBe("pending");
    await expect(cancelTask(t.ctx("operator"), blocking.id)).rejects.toMatchObject({ code: "conflict:provisioning_task_not_cancellable" });
    await expect(cancelTask(t.ctx("viewer"), behind.id)).rejects.toMatchObject({ code: expect.stringMatching(/^forbidden/) });
    expect(await cancelTask(t.ctx("operator"), behind.id)).toMatchObject({ status: "cancelled" });
    expect((await task(t, behind.id)).steps.at(-1)!.message).toContain("Cancelled by");
    expect(receivedFor(behind.id)).toHaveLength(0);
    await expectAuditRow(t.id, "ProvisioningTask", "Cancel");
  });

  it("a task whose worker died is resumed by another; the dead attempt's callback URL no longer works", async () => {
    const { t, integrationId } = await setup();
    target.behave({ kind: "success" });
    const deadToken = "dead-attempt-token";
    const id = await getDb().transaction(async (tx) => {
      const row = await enqueueTask(tx, t.ctx("operator"), {
        integrationId,
        action: "disable",
        account: { username: "bob" },
        parameters: {},
        source: "manual",
      });
      // As a worker that claimed it, sent it and died would have left it.
      await tx.execute(
        sql.raw(`update provisioning_tasks set status = 'running', attempts = 1, worker_id = 'dead-worker', heartbeat_at = now() - interval '1 hour',
           started_at = now() - interval '1 hour', callback_token_hash = '${createHash("sha256").update(deadToken).digest("hex")}',
           callback_expires_at = now() + interval '1 hour' where id = '${row.id}'`),
      );
      return row.id;
    });
    const done = await waitForStatus(t, id, ["success", "failed"]);
    expect(done.status).toBe("success");
    expect(done.attempts).toBe(2);
    expect(done.steps.map((s) => s.message).join("\n")).toContain("stopped responding");
    expect(receivedFor(id)).toHaveLength(1);
    const callback = new URL(receivedFor(id)[0].callbackUrl);
    callback.searchParams.set("token", deadToken);
    expect((await callBack(callback.toString(), { status: "failed" })).status).toBe(403);
    expect((await task(t, id)).status).toBe("success");
  });
});

describe("manual fulfilment", () => {
  it("waits running for someone, who confirms it with a reason and evidence; the platform's side of a delete is done", async () => {
    const { t, integrationId, dir } = await setup("manual");
    const { id } = await createManualTask(t.ctx("operator"), op(integrationId, "delete", "alice"));
    const waiting = await waitUntil("the task to wait for a person", async () => {
      const row = await task(t, id);
      return row.status === "running" && row.steps.some((s) => s.message.includes("Waiting for someone")) ? row : null;
    });
    expect(waiting.request).toMatchObject({ summary: expect.stringContaining("alice") });
    const pdf = Buffer.from("%PDF-1.7\n% ticket HR-42 closed\n%%EOF\n");
    const upload = await receiveUpload(t.ctx("operator"), {
      purpose: "evidence",
      filename: "ticket.pdf",
      contentLength: pdf.length,
      body: Readable.from([pdf]),
    });
    await confirmTask(t.ctx("operator"), id, { reason: "Deleted in the HR tool, ticket HR-42", uploadIds: [upload.id] });
    const row = await task(t, id);
    expect(row.status).toBe("confirmed");
    expect(row.confirmEvidence).toEqual([
      expect.objectContaining({ name: "ticket.pdf", sha256: createHash("sha256").update(pdf).digest("hex") }),
    ]);
    // The upload is used up.
    await expect(confirmTask(t.ctx("operator"), id, { reason: "x", uploadIds: [upload.id] })).rejects.toMatchObject({
      code: "conflict:upload_attached",
    });
    // Alice and her membership left the current state...
    const current =
      await getSql()`select object_type, external_id from identity_objects where integration_id = ${integrationId} order by 1, 2`;
    expect(current.map((r) => `${r.object_type}:${r.external_id}`)).toEqual(["account:u2", "group:g1", "membership:g1|u2"]);
    // ...and the next sync, which no longer sees her, agrees: nothing to report as deleted.
    await dir.put({
      accounts: "externalId,username,displayName,status\nu2,bob,Bob Brown,enabled\n",
      memberships: "groupExternalId,memberExternalId\ng1,u2\n",
    });
    const { sync } = await requestSync(t.ctx("operator"), integrationId, {});
    await waitForSyncEnd(t.id, sync.id);
    const deleted =
      await getSql()`select count(*)::int as n from sync_records where sync_execution_id = ${sync.id} and outcome = 'deleted'`;
    expect(deleted[0].n).toBe(0);
  });
});

describe("the ledger", () => {
  it("records finished tasks and confirmations with their hashes; verify names an edited task row", async () => {
    const { t, integrationId } = await setup();
    target.behave({ kind: "failed", message: "no such account" });
    const { id } = await createManualTask(t.ctx("operator"), op(integrationId, "disable", "carol"));
    const failed = await waitForStatus(t, id, ["failed"]);
    await confirmTask(t.ctx("admin"), id, { reason: "Carol never had an account there" });
    const entries = await waitUntil("both entries to be sealed", async () => {
      const rows = await getSql()`select kind, record from ledger_entries where tenant_id = ${t.id} and ref_id = ${id} order by seq`;
      return rows.length === 2 ? rows : null;
    });
    const [finished, confirmation] = entries.map((e) => ({
      kind: e.kind,
      record: typeof e.record === "string" ? JSON.parse(e.record) : e.record,
    }));
    expect(finished.kind).toBe("provisioning_task");
    expect(finished.record).toMatchObject({ id, outcome: "failed", requestHash: failed.requestHash, responseHash: failed.responseHash });
    expect(finished.record).not.toHaveProperty("status");
    expect(confirmation.kind).toBe("provisioning_confirmation");
    expect(confirmation.record).toMatchObject({ taskId: id, outcome: "failed", reason: "Carol never had an account there" });
    expect((await verifyTenantLedger(getDb(), t.id, { files: false })).ok).toBe(true);

    await getSql()`update provisioning_tasks set message = 'it worked fine', confirm_reason = 'edited' where id = ${id}`;
    const result = await verifyTenantLedger(getDb(), t.id, { files: false });
    expect(result.ok).toBe(false);
    const reasons = result.problems.map((p) => p.reason).join("\n");
    expect(reasons).toContain(`the provisioning task ${id} was changed after it was recorded`);
    expect(reasons).toContain(`the provisioning task's confirmation ${id} was changed after it was recorded`);
  });
});

describe("refusals", () => {
  it("refuses operations on an application whose provisioning is off, and writes no task", async () => {
    const t = await makeTenant();
    const dir = await makeCsvDirectory(t, "Off", { accounts: "externalId,username\nx1,x\n" });
    await expect(createManualTask(t.ctx("operator"), op(dir.integration.id, "disable", "x"))).rejects.toThrow(
      /Provisioning is switched off for "Off": nothing was sent/,
    );
    expect((await listTasks(t.ctx("auditor"))).items).toHaveLength(0);
  });

  it("lets admins and operators act, auditors read, and refuses viewers and reviewers", async () => {
    const { t, integrationId } = await setup();
    target.behave({ kind: "failed", message: "nope" });
    for (const role of ["viewer", "reviewer", "auditor"] as const) {
      await expect(createManualTask(t.ctx(role), op(integrationId, "disable", "alice"))).rejects.toMatchObject({
        code: expect.stringMatching(/^forbidden/),
      });
    }
    const { id } = await createManualTask(t.ctx("admin"), op(integrationId, "disable", "alice"));
    await waitForStatus(t, id, ["failed"]);
    for (const role of ["viewer", "reviewer"] as const) {
      await expect(getTask(t.ctx(role), id)).rejects.toMatchObject({ code: expect.stringMatching(/^forbidden/) });
      await expect(listTasks(t.ctx(role))).rejects.toMatchObject({ code: expect.stringMatching(/^forbidden/) });
    }
    for (const role of ["viewer", "reviewer", "auditor"] as const) {
      await expect(confirmTask(t.ctx(role), id, { reason: "done" })).rejects.toMatchObject({ code: expect.stringMatching(/^forbidden/) });
      await expect(retryTask(t.ctx(role), id, { parameters: {} })).rejects.toMatchObject({ code: expect.stringMatching(/^forbidden/) });
    }
    expect((await listTasks(t.ctx("auditor"))).items.map((i) => i.id)).toEqual([id]);
    expect((await getTask(t.ctx("auditor"), id)).status).toBe("failed");
  });
});
