/**
 * Runs one claimed provisioning task by its integration's mode:
 *
 * - `connector`: the connector's provisioner applies the operation; it reads
 *   the target's state first, so a task resumed after its worker died does
 *   not apply twice;
 * - `callback`: the operation is POSTed to the endpoint with a single-use
 *   callback URL; an accepted task waits, running, for the callback (or the
 *   sweep ends it `no_callback`);
 * - `manual`: the task waits, running, for someone to do it and Confirm.
 *
 * Transient failures (unreachable, rate limited, 5xx) go back to the queue
 * with exponential backoff, honouring Retry-After, up to a number of
 * attempts; every other failure ends the task `failed` with the target's own
 * words.
 */
import { createHash, randomBytes } from "node:crypto";
import "server-only";
import type { Database } from "@/db/client";
import { getIntegrationForSync } from "@/db/queries/integrations";
import * as queries from "@/db/queries/provisioning";
import type { ProvisioningRequest, ProvisioningResponse, ProvisioningStep } from "@/db/schema/provisioning";
import { getConfig } from "@/lib/config";
import { connectProblem } from "@/lib/connectors/network-policy";
import { assertEndpointsAllowed, getConnector } from "@/lib/connectors/registry";
import {
  ConnectorError,
  errorText,
  scrubSecrets,
  shownText,
  TRANSIENT_ERROR_KINDS,
  type ProvisionOperation,
  type ProvisionResult,
} from "@/lib/connectors/types";
import { decryptJson } from "@/lib/crypto/secrets";
import { PROVISIONING_ACTION_LABELS } from "@/lib/domain/enums";
import { log } from "@/lib/log";
import { finishTask, finishTasks, step, usernameOf, type Finish } from "./internal";
import { hashOf } from "./record";
import type { TaskParameters } from "./schemas";

type Task = queries.ProvisioningTaskRow;

export type RetryPolicy = {
  /** Attempts in all, the first included; after the last a transient failure fails the task. */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
};
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 2_000, maxMs: 5 * 60_000 };

export type EngineOptions = {
  workerId: string;
  retry?: RetryPolicy;
  /** How long a callback endpoint may take to accept an operation. */
  callbackRequestTimeoutMs?: number;
  signal?: AbortSignal;
};

/** A response body is kept up to this many bytes; the rest is cut and marked truncated. */
export const RESPONSE_BODY_MAX = 16 * 1024;

/** A failure with what was sent and what came back, and whether trying again may help. */
class TaskFailure extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly detail: { request?: ProvisioningRequest; response?: ProvisioningResponse; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
}

/** A connector task's end, written by the caller: alone (executeTask) or with its lane's batch (executeBatch). */
type Ending = { finish: Finish; status: "success" | "failed" };
type Attempt = { status: Task["status"]; ending?: Ending };

/**
 * An integration's provisioning settings, and what its connector needs
 * (settings parsed with secrets decrypted, the secrets to mask), kept while
 * neither row changes: a lane's batch checks their updated_at once
 * (provisioningVersion) instead of loading and decrypting them per task.
 */
type Loaded = {
  version: string;
  settings: queries.ProvisioningSettingsRow | null;
  target?: { connector: ReturnType<typeof getConnector>; config: unknown; secrets: string[]; checkedAt: number };
};
const loadedCache = new Map<string, Loaded>();
/** The network policy is checked again after this long even when nothing changed: a name may resolve elsewhere. */
const ENDPOINT_CHECK_MS = 60_000;

/** Per batch: the integrations whose cache entry was checked against the database already. */
type Checked = Map<string, Loaded>;

async function loadFor(db: Database, task: Task, checked: Checked): Promise<Loaded> {
  const key = `${task.tenantId}:${task.integrationId}`;
  const seen = checked.get(key);
  if (seen) return seen;
  const v = await queries.provisioningVersion(db, task.integrationId);
  const version = `${v.integration}|${v.settings}`;
  let loaded = loadedCache.get(key);
  if (!loaded || loaded.version !== version) {
    loaded = { version, settings: await queries.getProvisioningSettings(db, task.tenantId, task.integrationId) };
    if (loadedCache.size >= 500) loadedCache.clear();
    loadedCache.set(key, loaded);
  }
  checked.set(key, loaded);
  return loaded;
}

async function targetOf(db: Database, task: Task, loaded: Loaded): Promise<NonNullable<Loaded["target"]>> {
  if (loaded.target && Date.now() - loaded.target.checkedAt < ENDPOINT_CHECK_MS) return loaded.target;
  const row = await getIntegrationForSync(db, task.integrationId);
  if (!row) throw new TaskFailure("The integration was deleted.", false);
  const connector = getConnector(row.connector);
  if (!connector.provisioner)
    throw new TaskFailure(`${connector.label} applications cannot be provisioned through their connector.`, false);
  const decrypted = row.secrets ? decryptJson(row.secrets, row.id) : {};
  const parsed = connector.configSchema.safeParse({ ...row.config, ...decrypted });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TaskFailure(`The integration's settings are not valid: ${issue.path.join(".")} ${issue.message}`, false);
  }
  await assertEndpointsAllowed(row.connector, parsed.data);
  const secrets = Object.values(decrypted).filter((v): v is string => typeof v === "string");
  loaded.target = { connector, config: parsed.data, secrets, checkedAt: Date.now() };
  return loaded.target;
}

/** Runs one claimed task and writes its end at once. */
export async function executeTask(db: Database, task: Task, opts: EngineOptions): Promise<Task["status"]> {
  const attempt = await attemptTask(db, task, opts, new Map());
  if (!attempt.ending) return attempt.status;
  const guard = { whenStatus: ["running" as const], whenWorker: opts.workerId };
  const ended = await db.transaction((tx) => finishTask(tx, task, attempt.ending!.finish, guard));
  return ended ? attempt.ending.status : "running";
}

/**
 * Runs a lane's claimed tasks one after another and writes the ends of
 * those its connector finished in one transaction (finishTasks); an end
 * waits at most `flushAfterMs` for the others. A worker that dies before
 * that commit leaves the tasks running: they are queued again and the next
 * attempt finds the target already done. Tasks not started when the worker
 * stops go back to the queue untouched.
 */
export async function executeBatch(
  db: Database,
  tasks: Task[],
  opts: EngineOptions & { flushAfterMs?: number },
): Promise<Task["status"][]> {
  const guard = { whenStatus: ["running" as const], whenWorker: opts.workerId };
  const flushAfterMs = opts.flushAfterMs ?? 500;
  const statuses: Task["status"][] = [];
  const checked: Checked = new Map();
  let pending: { index: number; task: Task; ending: Ending }[] = [];
  let since = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const ended = await db.transaction((tx) =>
      finishTasks(
        tx,
        batch.map((p) => ({ task: p.task, finish: p.ending.finish })),
        guard,
      ),
    );
    for (const [i, p] of batch.entries()) statuses[p.index] = ended[i] ? p.ending.status : "running";
  };
  try {
    for (const [index, task] of tasks.entries()) {
      if (opts.signal?.aborted) {
        await queries.releaseTasks(db, [task.id], opts.workerId);
        statuses[index] = "pending";
        continue;
      }
      const attempt = await attemptTask(db, task, opts, checked);
      statuses[index] = attempt.status;
      if (attempt.ending) {
        if (pending.length === 0) since = Date.now();
        pending.push({ index, task, ending: attempt.ending });
      }
      if (pending.length && Date.now() - since >= flushAfterMs) await flush();
    }
  } finally {
    await flush();
  }
  return statuses;
}

async function attemptTask(db: Database, task: Task, opts: EngineOptions, checked: Checked): Promise<Attempt> {
  const retry = opts.retry ?? DEFAULT_RETRY;
  const guard = { whenStatus: ["running" as const], whenWorker: opts.workerId };
  const label = `${PROVISIONING_ACTION_LABELS[task.action]} of ${task.objectName}`;
  // Kept in memory and written with the task's next change: a worker that dies first leaves the task to be resumed.
  const steps: ProvisioningStep[] = [];
  try {
    const loaded = await loadFor(db, task, checked);
    const settings = loaded.settings;
    if (!settings?.enabled) {
      throw new TaskFailure("Provisioning was switched off for this application before the task ran: nothing was sent.", false);
    }
    steps.push(step(`Attempt ${task.attempts} started (${settings.mode} mode)`));
    if (settings.mode === "manual") {
      const request: ProvisioningRequest = { summary: describeOperation(task) };
      steps.push(step(`Waiting for someone to carry out "${label}" on the application by hand and Confirm it here.`));
      await queries.updateTask(db, task.id, { request, requestHash: hashOf(request), workerId: null, heartbeatAt: null }, steps, guard);
      return { status: "running" };
    }
    if (settings.mode === "callback") return { status: await sendToCallback(db, task, settings, opts, steps) };
    return { status: "success", ending: await applyWithConnector(db, task, loaded, opts, steps) };
  } catch (error) {
    if (opts.signal?.aborted) {
      // The worker is shutting down: the task goes back as it was, and the next attempt checks the target first.
      await queries.updateTask(
        db,
        task.id,
        { status: "pending", workerId: null, heartbeatAt: null, runAfter: new Date() },
        [...steps, step("The worker stopped before the task ended; it is queued again.", "warn")],
        guard,
      );
      return { status: "pending" };
    }
    const failure =
      error instanceof TaskFailure
        ? error
        : error instanceof ConnectorError
          ? new TaskFailure(error.message, TRANSIENT_ERROR_KINDS.includes(error.kind), { retryAfterMs: error.retryAfterMs })
          : new TaskFailure(errorText(error), false);
    if (!(error instanceof TaskFailure) && !(error instanceof ConnectorError)) {
      log.warn({ err: error, task: task.id }, "provisioning task failed unexpectedly");
    }
    const detail: Partial<Task> = {};
    if (failure.detail.request) Object.assign(detail, { request: failure.detail.request, requestHash: hashOf(failure.detail.request) });
    if (failure.detail.response)
      Object.assign(detail, { response: failure.detail.response, responseHash: hashOf(failure.detail.response) });
    if (failure.transient && task.attempts < retry.maxAttempts) {
      const backoff = Math.min(retry.maxMs, retry.baseMs * 2 ** (task.attempts - 1));
      const delay = Math.max(backoff, failure.detail.retryAfterMs ?? 0);
      await queries.updateTask(
        db,
        task.id,
        {
          ...detail,
          status: "pending",
          message: failure.message,
          workerId: null,
          heartbeatAt: null,
          runAfter: new Date(Date.now() + delay),
        },
        [...steps, step(`Attempt ${task.attempts} failed: ${failure.message} Trying again in ${seconds(delay)}.`, "warn")],
        guard,
      );
      return { status: "pending" };
    }
    const why = failure.transient
      ? `${failure.message} Gave up after ${task.attempts} attempt${task.attempts === 1 ? "" : "s"}.`
      : failure.message;
    return {
      status: "failed",
      ending: {
        status: "failed",
        finish: {
          outcome: "failed",
          message: why,
          request: failure.detail.request ?? task.request,
          response: failure.detail.response ?? task.response,
          steps: [...steps, step(`Failed: ${why}`, "error")],
        },
      },
    };
  }
}

const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);

/** The operation in words, for a person doing it by hand. */
export function describeOperation(task: Task): string {
  const p = task.parameters as TaskParameters;
  const parts = [`${PROVISIONING_ACTION_LABELS[task.action]} ${task.objectType} ${task.objectName}`];
  if (task.accountExternalId) parts.push(`account id ${task.accountExternalId}`);
  const attrs = Object.entries(p.attributes ?? {});
  if (attrs.length) parts.push(`set ${attrs.map(([k, v]) => `${k} = ${v === null ? "(empty)" : JSON.stringify(v)}`).join(", ")}`);
  if (p.bindGroups?.length) parts.push(`add to groups ${p.bindGroups.join(", ")}`);
  if (p.unbindGroups?.length) parts.push(`remove from groups ${p.unbindGroups.join(", ")}`);
  if (p.group) parts.push(`group ${p.group.name ? `${p.group.name} (${p.group.externalId})` : p.group.externalId}`);
  return parts.join("; ");
}

export function operationOf(task: Task, settings: Record<string, unknown>): ProvisionOperation {
  const p = task.parameters as TaskParameters;
  return {
    taskId: task.id,
    objectType: task.objectType,
    action: task.action,
    account: { username: usernameOf(task), externalId: task.accountExternalId },
    ...(p.attributes ? { attributes: p.attributes } : {}),
    ...(p.bindGroups ? { bindGroups: p.bindGroups } : {}),
    ...(p.unbindGroups ? { unbindGroups: p.unbindGroups } : {}),
    ...(p.group ? { group: p.group } : {}),
    settings,
  };
}

/** A value with every occurrence of the secrets masked, as JSON allows. */
function masked<T>(value: T, secrets: string[]): T {
  if (value === undefined || value === null) return value;
  return JSON.parse(scrubSecrets(JSON.stringify(value), secrets)) as T;
}

/** A response body kept whole up to RESPONSE_BODY_MAX bytes, as JSON when it is JSON. */
export function capBody(body: unknown): { body: unknown; truncated?: boolean } {
  const text = typeof body === "string" ? body : body === undefined ? "" : JSON.stringify(body);
  if (Buffer.byteLength(text) > RESPONSE_BODY_MAX) {
    return { body: Buffer.from(text).subarray(0, RESPONSE_BODY_MAX).toString("utf8"), truncated: true };
  }
  return { body };
}

async function applyWithConnector(
  db: Database,
  task: Task,
  loaded: Loaded,
  opts: EngineOptions,
  steps: ProvisioningStep[],
): Promise<Ending> {
  const { connector, config, secrets } = await targetOf(db, task, loaded);
  let result: ProvisionResult;
  try {
    result = await connector.provisioner!.apply(config, operationOf(task, loaded.settings!.settings), opts.signal);
  } catch (error) {
    if (error instanceof ConnectorError) {
      throw new ConnectorError(scrubSecrets(error.message, secrets), error.kind, { retryAfterMs: error.retryAfterMs });
    }
    throw error;
  }
  const request = masked(result.request, secrets);
  const response: ProvisioningResponse = { status: result.response.status, ...capBody(masked(result.response.body, secrets)) };
  steps.push(...result.steps.map((s) => step(scrubSecrets(s, secrets))));
  steps.push(step(result.alreadyApplied ? "Succeeded: the target already was in the requested state." : "Succeeded."));
  return {
    status: "success",
    finish: {
      outcome: "success",
      message: null,
      request,
      response,
      bindings: result.bindings ?? null,
      accountExternalId: result.accountExternalId ?? null,
      steps,
    },
  };
}

/** The callback URL a target reports the outcome on; the token is its only credential. */
export function callbackUrl(taskId: string, token: string) {
  const base = (getConfig().NEXTAUTH_URL ?? process.env.NEXTAUTH_URL ?? `http://localhost:${getConfig().PORT}`).replace(/\/+$/, "");
  return `${base}/api/v1/provisioning/callbacks/${taskId}?token=${token}`;
}

export const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

async function sendToCallback(
  db: Database,
  task: Task,
  settings: queries.ProvisioningSettingsRow,
  opts: EngineOptions,
  started: ProvisioningStep[],
) {
  const guard = { whenStatus: ["running" as const], whenWorker: opts.workerId };
  const url = (settings.settings.callback as { url?: string } | undefined)?.url;
  if (!url) throw new TaskFailure("No callback endpoint is set in this application's provisioning settings.", false);
  const secrets = settings.secrets ? decryptJson(settings.secrets, settings.integrationId) : {};
  const bearer = typeof secrets.token === "string" ? secrets.token : null;
  const problem = await connectProblem(url);
  if (problem) throw new TaskFailure(`Refused to connect: ${problem}`, false);

  // A new token per attempt: the one an earlier attempt sent stops working.
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + settings.callbackTimeoutSeconds * 1000);
  const { settings: _s, ...operation } = operationOf(task, {});
  const body = { taskId: task.id, operation, callbackUrl: callbackUrl(task.id, token), callbackExpiresAt: expiresAt.toISOString() };
  const request: ProvisioningRequest = {
    method: "POST",
    url,
    body: { ...body, callbackUrl: callbackUrl(task.id, "********") },
  };
  // Stored before sending, so a target that calls back at once finds the token.
  await queries.updateTask(
    db,
    task.id,
    { callbackTokenHash: tokenHash(token), callbackExpiresAt: expiresAt, callbackUsedAt: null, request, requestHash: hashOf(request) },
    [...started.splice(0), step(`POST ${url}`)],
    guard,
  );
  const timeoutMs = opts.callbackRequestTimeoutMs ?? 30_000;
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(opts.signal ? [opts.signal] : [])]),
    });
  } catch (error) {
    if (opts.signal?.aborted) throw error;
    const name = (error as { name?: string }).name;
    if (name === "TimeoutError" || name === "AbortError")
      throw new TaskFailure(`The callback endpoint did not answer within ${seconds(timeoutMs)}.`, true, { request });
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = scrubSecrets(cause?.message ?? errorText(error), [bearer ?? undefined]);
    if (cause?.code?.startsWith("HPE_"))
      throw new TaskFailure(`The callback endpoint answered with something that is not HTTP (${shownText(why)}).`, false, { request });
    throw new TaskFailure(`Could not reach the callback endpoint: ${shownText(why)}.`, true, { request });
  }
  const text = await res.text().catch(() => "");
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: kept as text */
  }
  const response: ProvisioningResponse = { status: res.status, ...capBody(masked(parsed, bearer ? [bearer] : [])) };
  if (res.ok) {
    const waiting = await queries.updateTask(
      db,
      task.id,
      { response, responseHash: hashOf(response), workerId: null, heartbeatAt: null },
      [step(`The endpoint accepted the operation (HTTP ${res.status}); waiting for its callback until ${expiresAt.toISOString()}.`)],
      guard,
    );
    if (waiting) return "running" as const;
    // The callback came first and already ended the task; the log still says the endpoint accepted it.
    await queries.updateTask(db, task.id, {}, [
      step(`The endpoint accepted the operation (HTTP ${res.status}); its callback had already arrived.`),
    ]);
    return "running" as const;
  }
  const said = targetMessage(parsed, text);
  const message = `The callback endpoint answered HTTP ${res.status}${said ? `: ${said}` : ""}.`;
  if (res.status === 429 || res.status >= 500) {
    throw new TaskFailure(message, true, { request, response, retryAfterMs: retryAfterMs(res.headers.get("retry-after")) });
  }
  throw new TaskFailure(message, false, { request, response });
}

/** The target's own words from an error body: a message, detail or error field, or the text. */
function targetMessage(parsed: unknown, text: string): string {
  if (parsed && typeof parsed === "object") {
    const o = parsed as Record<string, unknown>;
    for (const key of ["message", "detail", "error", "error_description"]) {
      const v = o[key];
      if (typeof v === "string") return shownText(v);
      if (v && typeof v === "object" && typeof (v as { message?: unknown }).message === "string")
        return shownText((v as { message: string }).message);
    }
  }
  return text ? shownText(text) : "";
}

/** Retry-After as seconds or an HTTP date. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Ends waiting callback tasks whose callback URL expired unused. */
export async function sweepExpiredCallbacks(db: Database): Promise<number> {
  let ended = 0;
  for (const { id } of await queries.expiredCallbackTasks(db)) {
    const done = await db.transaction(async (tx) => {
      const task = await queries.lockTaskById(tx, id, { skipLocked: true });
      if (task?.status !== "running" || task.callbackUsedAt || !task.callbackExpiresAt || task.callbackExpiresAt > new Date()) return null;
      return finishTask(tx, task, {
        outcome: "no_callback",
        message: `No callback arrived before ${task.callbackExpiresAt.toISOString()}.`,
        steps: [step(`No callback arrived before ${task.callbackExpiresAt.toISOString()}: the outcome on the target is unknown.`, "error")],
      });
    });
    if (done) ended++;
  }
  return ended;
}
