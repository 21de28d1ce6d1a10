/**
 * POST /api/v1/provisioning/batches — batch provisioning: a multipart form
 * with `integrationId` and `file` (a CSV of operations). One task per good
 * row; bad rows come back by line. A file that is not such a CSV is refused
 * (422) and nothing is stored.
 */
import { NextResponse } from "next/server";
import { withApiKey } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { createBatch } from "@/lib/provisioning/batch";
import { MAX_BATCH_BYTES } from "@/lib/provisioning/batch-format";

export const POST = withApiKey("provisioning:write", async (ctx, req) => {
  const type = req.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) {
    throw new AppError(
      "bad_request:content_type",
      "Send the batch as multipart/form-data with the fields `integrationId` and `file` (curl -F integrationId=… -F file=@batch.csv).",
    );
  }
  // The form's size is checked before it is read; the file's own limit is the service's.
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > MAX_BATCH_BYTES + 64 * 1024) {
    throw new AppError(
      "unprocessable:batch_file",
      `The file is larger than ${MAX_BATCH_BYTES / (1024 * 1024)} MiB; split it into several batches.`,
    );
  }
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new AppError("bad_request:multipart", "The multipart body could not be read.");
  }
  const file = form.get("file");
  const created = await createBatch(ctx, {
    integrationId: form.get("integrationId"),
    file: file instanceof File ? { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } : null,
  });
  return NextResponse.json({ data: created }, { status: 201 });
});
