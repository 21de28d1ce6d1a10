/** Liveness of the database and the object store, whether the ledger is still being signed, and the ledger witnesses' lag. */
import { NextResponse } from "next/server";
import { checkHealth } from "@/lib/health/service";

export const dynamic = "force-dynamic";

export async function GET() {
  const { ok, status, database, objectStore, ledger, ledgerWitnesses } = await checkHealth();
  return NextResponse.json(
    { status, database, objectStore, ledger, ledgerWitnesses },
    { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
