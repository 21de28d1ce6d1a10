/**
 * Liveness of the two things the app cannot work without: the database and
 * the object store, plus how far the ledger's witnesses are behind. Public by
 * design (load balancers ask it): it says up or down and how fast, never
 * anything about a tenant. Witnesses do not decide the HTTP status: a witness
 * that is down delays cosignatures, not the app.
 */
import "server-only";
import { getDb } from "@/db/client";
import { pingDatabase } from "@/db/queries/health";
import { witnessHealth, type WitnessHealth } from "@/lib/ledger/witnessing";
import { log } from "@/lib/log";
import { getObjectStore } from "@/lib/storage";

export type ComponentHealth = { status: "up"; latencyMs: number } | { status: "down"; error: string };

async function check(name: string, fn: () => Promise<unknown>): Promise<ComponentHealth> {
  const started = performance.now();
  try {
    await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error("timed out after 3 s")), 3000))]);
    return { status: "up" as const, latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    log.warn({ err: e, component: name }, "health check failed");
    return { status: "down" as const, error: e instanceof Error ? e.message : "unavailable" };
  }
}

export async function checkHealth() {
  const [database, objectStore] = await Promise.all([
    check("database", () => pingDatabase(getDb())),
    check("objectStore", () => getObjectStore().health()),
  ]);
  const ok = database.status === "up" && objectStore.status === "up";
  let ledgerWitnesses: WitnessHealth;
  try {
    ledgerWitnesses =
      database.status === "up" ? await witnessHealth(getDb()) : { status: "red", quorum: 0, witnesses: [], error: "the database is down" };
  } catch (e) {
    log.warn({ err: e, component: "ledgerWitnesses" }, "health check failed");
    ledgerWitnesses = { status: "red", quorum: 0, witnesses: [], error: e instanceof Error ? e.message : "unavailable" };
  }
  return { ok, status: ok ? ("ok" as const) : ("degraded" as const), database, objectStore, ledgerWitnesses };
}
