/**
 * Queueing a sync, for the services whose changes start one (a config save,
 * new evidence, a manual request) inside their own transaction. A low module:
 * it checks no permission (its callers have), and imports only the data
 * layer, so lib/integrations and lib/evidence depend on it and not on the
 * syncs service above them.
 */
import "server-only";
import type { Executor } from "@/db/client";
import * as queries from "@/db/queries/syncs";
import type { ServiceContext } from "@/lib/auth/context";
import { can } from "@/lib/auth/context";
import type { SyncMode, SyncTrigger } from "@/lib/domain/enums";
import { AppError } from "@/lib/errors";

function startedBy(ctx: ServiceContext) {
  return {
    startedByType:
      ctx.actor.type === "api_key" ? ("api_key" as const) : ctx.actor.type === "user" ? ("user" as const) : ("system" as const),
    startedById: ctx.actor.id ?? null,
    startedByName: ctx.actor.name,
  };
}

/**
 * Queues a sync; inside the caller's transaction when one is given (a config
 * save and its sync commit together). When one is already queued for the
 * integration the request joins it (`joined`): it has not started, so it
 * reads the settings as they are when it does.
 */
export async function enqueueSync(
  db: Executor,
  ctx: ServiceContext,
  integrationId: string,
  opts: { trigger: SyncTrigger; mode?: SyncMode; idempotencyKey?: string },
) {
  return queries.enqueueSyncExecution(db, {
    tenantId: ctx.tenantId,
    integrationId,
    trigger: opts.trigger,
    mode: opts.mode ?? "full",
    idempotencyKey: opts.idempotencyKey ?? null,
    ...startedBy(ctx),
  });
}

/** What a save says when the caller may change settings but not start syncs (an API key without syncs:run). */
export const SYNC_NOT_STARTED =
  'Saved; no sync was started: this API key lacks the scope "syncs:run". Start one with a key that has it, or from the app.';

/** Whether a change by this caller may start the sync it would start; a key with integrations:write alone may not. */
export function mayStartSync(ctx: ServiceContext): boolean {
  return can(ctx, "syncs:run");
}

/**
 * Evidence always belongs to the sync it starts, so adding it needs syncs:run
 * as well; refused before anything is stored.
 */
export function assertMayStartSyncForEvidence(ctx: ServiceContext): void {
  if (mayStartSync(ctx)) return;
  const who = ctx.actor.type === "api_key" ? "this API key lacks the scope" : "your role does not have the permission";
  throw new AppError("forbidden:syncs:run", `Evidence belongs to the sync it starts, and ${who} "syncs:run"; nothing was saved.`);
}
