/**
 * POST /api/ledger/verify — verifies the signed-in user's tenant ledger and
 * streams progress as JSON lines ({"done","total"}), then {"result"}.
 */
import { assertSameOrigin, withSession } from "@/lib/api/handler";
import { verifyLedger } from "@/lib/ledger/service";

export const runtime = "nodejs";

export const POST = withSession("ledger:read", async (ctx, req) => {
  assertSameOrigin(req);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (value: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
      try {
        const result = await verifyLedger(ctx, { onProgress: (done, total) => send({ done, total }) });
        send({ result });
      } catch (error) {
        send({ error: error instanceof Error && "code" in error ? error.message : "Verification could not run." });
      }
      controller.close();
    },
  });
  return new Response(body, { headers: { "Content-Type": "application/x-ndjson", "Cache-Control": "no-store" } });
});
