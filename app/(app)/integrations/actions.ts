"use server";

/**
 * Server actions for integrations: thin adapters that authenticate, call the
 * service (which authorizes again and audits) and shape an ActionResult.
 */
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { formDataObject, runAction, type ActionResult } from "@/lib/actions";
import { requireContext } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import {
  createIntegration,
  deleteCursor,
  deleteIntegration,
  resetCursor,
  setIntegrationActive,
  testConnection,
  updateIntegration,
} from "@/lib/integrations/service";
import { requestSync } from "@/lib/syncs/service";

function field(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}

/** The multi-step form sends everything as one JSON document in `payload`. */
function parsePayload(raw: FormDataEntryValue | null): Record<string, unknown> {
  const unreadable = () =>
    new AppError("unprocessable:validation", "The form could not be read; reload the page and try again.", {
      form: ["The form data is not valid JSON."],
    });
  if (typeof raw !== "string" || raw === "") throw unreadable();
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw unreadable();
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw unreadable();
  return value as Record<string, unknown>;
}

export type SaveIntegrationResult = ActionResult<{ id: string; syncId: string | null }>;

/** Creates (no `id`) or updates an integration; saving starts a sync, so success lands on its Sync History. */
export async function saveIntegrationAction(_prev: unknown, formData: FormData): Promise<SaveIntegrationResult> {
  const result = await runAction(async () => {
    const ctx = await requireContext("integrations:write");
    const payload = parsePayload(formData.get("payload"));
    const id = field(formData, "id");
    const saved = id ? await updateIntegration(ctx, id, payload) : await createIntegration(ctx, payload);
    return { id: saved.integration.id, syncId: saved.sync?.id ?? null };
  });
  if (!result.ok) return result;
  revalidatePath("/integrations");
  revalidatePath(`/integrations/${result.data.id}/syncs`);
  redirect(`/integrations/${result.data.id}/syncs?${result.data.syncId ? `saved=sync&sync=${result.data.syncId}` : "saved=1"}`);
}

export type TestConnectionInput = { connector: string; config: Record<string, unknown>; integrationId?: string };
export type TestConnectionOutcome = Awaited<ReturnType<typeof testConnection>>;

/** Checks the settings against the source without saving them. */
export async function testConnectionAction(input: TestConnectionInput): Promise<ActionResult<TestConnectionOutcome>> {
  return runAction(async () => {
    const ctx = await requireContext("integrations:write");
    return testConnection(ctx, input);
  });
}

export async function requestSyncAction(
  _prev: unknown,
  formData: FormData,
): Promise<ActionResult<{ syncId: string; replayed: boolean; joined: boolean }>> {
  const result = await runAction(async () => {
    const ctx = await requireContext("syncs:run");
    const integrationId = field(formData, "integrationId");
    const { sync, replayed, joined } = await requestSync(ctx, integrationId, {}, "manual");
    revalidatePath("/integrations");
    revalidatePath(`/integrations/${integrationId}/syncs`);
    return { syncId: sync.id, replayed, joined };
  });
  if (!result.ok) return result;
  return { ...result, message: result.data.joined ? "A sync was already queued; your request joined it" : "Sync queued" };
}

export async function setIntegrationActiveAction(_prev: unknown, formData: FormData): Promise<ActionResult<{ active: boolean }>> {
  return runAction(async () => {
    const ctx = await requireContext("integrations:write");
    const id = field(formData, "id");
    const active = field(formData, "active") === "true";
    await setIntegrationActive(ctx, id, active);
    revalidatePath("/integrations");
    return { active };
  });
}

export async function deleteIntegrationAction(_prev: unknown, formData: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const ctx = await requireContext("integrations:write");
    await deleteIntegration(ctx, field(formData, "id"));
    revalidatePath("/integrations");
    return undefined;
  }, "Integration deleted; its sync history is kept");
}

export async function resetCursorAction(_prev: unknown, formData: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const ctx = await requireContext("integrations:write");
    const input = formDataObject(formData);
    await resetCursor(ctx, input);
    revalidatePath(`/integrations/${field(formData, "integrationId")}/syncs`);
    return undefined;
  }, "Cursor reset: the next sync reads everything");
}

export async function deleteCursorAction(_prev: unknown, formData: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const ctx = await requireContext("integrations:write");
    const input = formDataObject(formData);
    await deleteCursor(ctx, input);
    revalidatePath(`/integrations/${field(formData, "integrationId")}/syncs`);
    return undefined;
  }, "Cursor deleted");
}
