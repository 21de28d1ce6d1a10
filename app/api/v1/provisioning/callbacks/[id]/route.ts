/**
 * POST /api/v1/provisioning/callbacks/{id}?token=… — a callback target reports
 * the outcome of an operation it accepted. No API key: the single-use token is
 * the credential (lib/provisioning/callback.ts).
 */
import { NextResponse } from "next/server";
import { errorResponse } from "@/lib/api/handler";
import { handleCallback } from "@/lib/provisioning/service";

/** A callback body is a status and a short message; more is refused before it is read. */
const MAX_BODY_BYTES = 64 * 1024;

export async function POST(req: Request, segment: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await segment.params;
    const length = Number(req.headers.get("content-length") ?? 0);
    if (length > MAX_BODY_BYTES) {
      return NextResponse.json(
        { error: { code: "bad_request:callback_body", message: `The body is larger than ${MAX_BODY_BYTES} bytes.` } },
        { status: 413 },
      );
    }
    const text = await req.text();
    if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
      return NextResponse.json(
        { error: { code: "bad_request:callback_body", message: `The body is larger than ${MAX_BODY_BYTES} bytes.` } },
        { status: 413 },
      );
    }
    const answer = await handleCallback(id, new URL(req.url).searchParams.get("token"), text);
    return NextResponse.json(answer.body, { status: answer.status, headers: { "cache-control": "no-store" } });
  } catch (e) {
    return errorResponse(e);
  }
}
