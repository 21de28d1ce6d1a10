/** Liveness of the two things the app cannot work without: the database and the object store. */
import { NextResponse } from "next/server";
import { getSql } from "@/db/client";
import { getObjectStore } from "@/lib/storage";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

async function check(name: string, fn: () => Promise<unknown>) {
  const started = performance.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out after 3 s")), 3000)),
    ]);
    return { status: "up" as const, latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    log.warn({ err: e, component: name }, "health check failed");
    return { status: "down" as const, error: e instanceof Error ? e.message : "unavailable" };
  }
}

export async function GET() {
  const [database, objectStore] = await Promise.all([
    check("database", () => getSql()`select 1`),
    check("objectStore", () => getObjectStore().health()),
  ]);
  const ok = database.status === "up" && objectStore.status === "up";
  return NextResponse.json(
    { status: ok ? "ok" : "degraded", database, objectStore },
    { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
