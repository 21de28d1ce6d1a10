/**
 * POST /api/v1/integrations/{id}/evidence (scope evidence:write) — multipart
 * form data: `notes` (Lexical JSON or Markdown) and up to 10 `files`. Each
 * file is streamed into the object store and checked by content as it
 * arrives; then the evidence is attached and the sync that owns it starts.
 * If anything is refused, the files this request stored are removed. The
 * key needs syncs:run too (the evidence belongs to the sync it starts); one
 * without it is refused before any file is read.
 */
import { NextResponse } from "next/server";
import { withApiKey } from "@/lib/api/handler";
import { addEvidence, MAX_FILES_PER_SYNC } from "@/lib/evidence/service";
import { readMultipart } from "@/lib/uploads/multipart";
import { discardUploads, receiveUpload } from "@/lib/uploads/service";
import { assertMayStartSyncForEvidence } from "@/lib/syncs/service";

export const runtime = "nodejs";

export const POST = withApiKey("evidence:write", async (ctx, req, params) => {
  assertMayStartSyncForEvidence(ctx);
  const uploadIds: string[] = [];
  try {
    const fields = await readMultipart(req, {
      maxFiles: MAX_FILES_PER_SYNC,
      onFile: async (_field, filename, stream) => {
        const upload = await receiveUpload(ctx, { purpose: "evidence", filename, body: stream });
        uploadIds.push(upload.id);
      },
    });
    const { sync, evidence } = await addEvidence(ctx, String(params.id), { notes: fields.notes, uploadIds });
    return NextResponse.json({ data: { evidence, sync } }, { status: 201 });
  } catch (error) {
    await discardUploads(ctx.tenantId, uploadIds);
    throw error;
  }
});
