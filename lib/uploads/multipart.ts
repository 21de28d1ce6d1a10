/**
 * Reads a multipart/form-data request as a stream with busboy: text fields
 * are collected (small, capped), each file is handed to `onFile` as a stream
 * and consumed before the next one is read, so no file is ever held whole in
 * memory. Too many files or fields is a clear error.
 */
import { Readable } from "node:stream";
import busboy from "busboy";
import { AppError } from "@/lib/errors";

export type MultipartOptions = {
  maxFiles: number;
  maxFieldBytes?: number;
  onFile: (field: string, filename: string, stream: Readable) => Promise<void>;
};

export async function readMultipart(req: Request, opts: MultipartOptions): Promise<Record<string, string>> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) {
    throw new AppError("bad_request:content_type", "Send the evidence as multipart/form-data (fields: notes, files).");
  }
  if (!req.body) throw new AppError("bad_request:body", "The request has no body.");
  const fields: Record<string, string> = {};
  const parser = busboy({
    headers: { "content-type": type },
    // Browsers and fetch send file names as raw UTF-8; busboy would read them as latin1 ("rÃ©sumÃ©.pdf").
    defParamCharset: "utf8",
    limits: { files: opts.maxFiles, fields: 20, fieldSize: opts.maxFieldBytes ?? 256 * 1024, parts: opts.maxFiles + 20 },
  });
  return new Promise((resolve, reject) => {
    let chain = Promise.resolve();
    let failed: unknown = null;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = error;
      source.unpipe(parser);
      source.destroy();
      chain.finally(() => reject(error));
    };
    parser.on("field", (name, value, info) => {
      if (info.valueTruncated) fail(new AppError("unprocessable:validation", `The "${name}" field is too long.`));
      else fields[name] = value;
    });
    parser.on("file", (field, stream, info) => {
      if (failed) {
        stream.resume();
        return;
      }
      chain = chain.then(async () => {
        if (failed) {
          stream.resume();
          return;
        }
        await opts.onFile(field, info.filename ?? "", stream).catch((error) => {
          stream.resume();
          fail(error);
        });
      });
    });
    parser.on("filesLimit", () =>
      fail(new AppError("unprocessable:too_many_files", `At most ${opts.maxFiles} files can be attached to one sync.`)),
    );
    parser.on("fieldsLimit", () => fail(new AppError("unprocessable:validation", "Too many form fields.")));
    parser.on("partsLimit", () => fail(new AppError("unprocessable:validation", "Too many parts in the form.")));
    parser.on("error", (error) =>
      fail(new AppError("bad_request:multipart", `The form data could not be read: ${(error as Error).message}`)),
    );
    parser.on("close", () => {
      chain.then(() => {
        if (!failed) resolve(fields);
      });
    });
    const source = Readable.fromWeb(req.body as import("node:stream/web").ReadableStream);
    source.on("error", fail);
    source.pipe(parser);
  });
}
