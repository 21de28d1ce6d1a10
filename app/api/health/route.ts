/** Liveness of the database and the object store, and whether the ledger is still being signed. */
import { NextResponse } from "next/server";
import { checkHealth } from "@/lib/health/service";

export const dynamic = "force-dynamic";

export async function GET() {
  const { ok, status, database, objectStore, ledger } = await checkHealth();
  return NextResponse.json({ status, database, objectStore, ledger }, { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
