/** Liveness of the two things the app cannot work without (the database and the object store), and the ledger witnesses' lag. */
import { NextResponse } from "next/server";
import { checkHealth } from "@/lib/health/service";

export const dynamic = "force-dynamic";

export async function GET() {
  const { ok, status, database, objectStore, ledgerWitnesses } = await checkHealth();
  return NextResponse.json(
    { status, database, objectStore, ledgerWitnesses },
    { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
