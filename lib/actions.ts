/**
 * The one result type for server actions, and the adapter that turns a
 * service call into it. Unexpected errors are logged with a request id and
 * reach the user only as that reference.
 */
import { randomUUID } from "node:crypto";
import { isAppError, isNulCharacterError } from "./errors";
import { log } from "./log";
import { NUL_MESSAGE } from "./validation";

export type ActionResult<T = undefined> =
  | { ok: true; data: T; message?: string }
  | { ok: false; code: string; message: string; fieldErrors?: Record<string, string[]> };

export async function runAction<T>(fn: () => Promise<T>, successMessage?: string): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn(), message: successMessage };
  } catch (e) {
    if (isAppError(e)) return { ok: false, code: e.code, message: e.message, fieldErrors: e.fieldErrors };
    if (isNulCharacterError(e)) return { ok: false, code: "bad_request:nul_character", message: `The form ${NUL_MESSAGE}.` };
    // redirect()/forbidden() from next/navigation must propagate.
    if (typeof e === "object" && e !== null && "digest" in e) throw e;
    const ref = randomUUID();
    log.error({ err: e, ref }, "server action failed");
    return { ok: false, code: "internal", message: `Something went wrong on our side (reference ${ref}).` };
  }
}

export function formDataObject(formData: FormData): Record<string, FormDataEntryValue | FormDataEntryValue[]> {
  const out: Record<string, FormDataEntryValue | FormDataEntryValue[]> = {};
  for (const key of new Set(formData.keys())) {
    if (key.startsWith("$ACTION")) continue;
    const all = formData.getAll(key);
    if (key.endsWith("[]")) out[key.slice(0, -2)] = all;
    else out[key] = all.length > 1 ? all : all[0];
  }
  return out;
}
