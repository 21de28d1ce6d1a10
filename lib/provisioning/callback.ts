/**
 * The callback endpoint's use case: a callback target reports the outcome of
 * an operation it accepted. No API key: the single-use token in the URL is
 * the credential, compared in constant time with the SHA-256 stored on the
 * task. Every refusal is answered with a clear message and written to the
 * task's operation log, so an operator sees what the target tried.
 */
import { timingSafeEqual } from "node:crypto";
import "server-only";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/provisioning";
import { shownText } from "@/lib/connectors/types";
import { isUuid } from "@/lib/validation";
import { tokenHash } from "./engine";
import { finishTask, step } from "./internal";
import { callbackBodySchema } from "./schemas";

export type CallbackAnswer = { status: number; body: { ok: true; status: string } | { error: { code: string; message: string } } };

const refuse = (status: number, code: string, message: string): CallbackAnswer => ({ status, body: { error: { code, message } } });

function sameToken(given: string, storedHash: string | null): boolean {
  if (!storedHash) return false;
  const a = Buffer.from(tokenHash(given), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function handleCallback(taskId: string, token: string | null, rawBody: string): Promise<CallbackAnswer> {
  if (!isUuid(taskId)) return refuse(404, "not_found:provisioning_task", "No such provisioning task.");
  return getDb().transaction(async (tx) => {
    const task = await queries.lockTaskById(tx, taskId);
    if (!task) return refuse(404, "not_found:provisioning_task", "No such provisioning task.");
    const note = async (message: string) =>
      void (await queries.updateTask(tx, task.id, {}, [step(`Callback refused: ${message}`, "warn")]));
    if (!token) {
      const message = "The callback URL has no token: call the URL exactly as it was sent, with its ?token=… part.";
      await note(message);
      return refuse(401, "unauthorized:callback_token", message);
    }
    if (!sameToken(token, task.callbackTokenHash)) {
      const message =
        "The callback token does not match this task: it is not the token sent with the operation, or a later attempt replaced it.";
      await note(message);
      return refuse(403, "forbidden:callback_token", message);
    }
    if (task.callbackUsedAt) {
      const message = `This callback URL was already used at ${task.callbackUsedAt.toISOString()}; a callback URL works once.`;
      await note(message);
      return refuse(410, "gone:callback_used", message);
    }
    if (task.status !== "running" || !task.callbackExpiresAt || task.callbackExpiresAt <= new Date()) {
      const message = `This callback URL expired at ${task.callbackExpiresAt?.toISOString() ?? "its deadline"}; the task is no longer waiting for it.`;
      await note(message);
      return refuse(410, "gone:callback_expired", message);
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      const message = 'The body is not JSON. Send { "status": "success" | "failed", "message"?: string, "accountExternalId"?: string }.';
      await note(message);
      return refuse(400, "bad_request:callback_body", message);
    }
    const parsed = callbackBodySchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "body"} ${i.message}`).join("; ");
      const message = `The body is not a valid callback (${shownText(issues)}). Send { "status": "success" | "failed", "message"?: string, "accountExternalId"?: string }.`;
      await note(message);
      return refuse(400, "bad_request:callback_body", message);
    }
    const body = parsed.data;
    await queries.updateTask(tx, task.id, { callbackUsedAt: new Date() });
    const said = body.message ? shownText(body.message) : null;
    const ended = await finishTask(tx, task, {
      outcome: body.status,
      message: body.status === "failed" ? (said ?? "The callback target reported a failure without a message.") : null,
      response: { status: `callback: ${body.status}`, body },
      accountExternalId: body.accountExternalId ?? null,
      steps: [step(`Callback: ${body.status}${said ? ` (${said})` : ""}`, body.status === "failed" ? "error" : undefined)],
    });
    return { status: 200, body: { ok: true as const, status: ended?.status ?? body.status } };
  });
}
