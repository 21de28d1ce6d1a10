/** Bodies as Node streams without copying them into memory, and the streams that count and hash an upload as it flows. */
import { createHash, type Hash } from "node:crypto";
import { Readable, Transform, type TransformCallback } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { AppError } from "@/lib/errors";
import type { ObjectBody } from "./types";

/** Turns any accepted body into a Node stream without copying it into memory. */
export function toNodeReadable(body: ObjectBody): Readable {
  if (body instanceof Readable) return body;
  if (typeof body === "string") return Readable.from(body.length ? [Buffer.from(body, "utf8")] : []);
  if (body instanceof Uint8Array) {
    const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    // Wrapped in an array: Readable.from(buffer) would iterate it byte by byte.
    return Readable.from(buf.byteLength ? [buf] : []);
  }
  // The DOM and node:stream/web ReadableStream types describe the same runtime object.
  return Readable.fromWeb(body as unknown as NodeWebReadableStream<Uint8Array>);
}

export interface Digest {
  size: number;
  sha256: string;
}

/**
 * Counts and hashes the bytes of one upload and checks them against what the
 * caller declared. Both drivers feed every chunk through one of these on the
 * way to the store, so the digest is computed while streaming, never by
 * reading the object back.
 */
export class UploadMeter {
  private readonly hash: Hash = createHash("sha256");
  private bytes = 0;
  private digestValue: Digest | undefined;
  /** Set once the body is known not to match the declaration. */
  error: AppError | undefined;
  /** The body ended before the declared length (a request sent with that length can never complete). */
  endedShort = false;

  constructor(private readonly expected: { contentLength?: number; sha256?: string } = {}) {}

  /**
   * Accounts for a chunk and returns the part of it that may be stored: all of
   * it, or — when the body runs past the declared length — only the bytes up to
   * that length (the meter is then `overflowed` and the upload must stop).
   */
  write(chunk: Buffer): Buffer {
    const limit = this.expected.contentLength;
    let accepted = chunk;
    if (limit !== undefined && this.bytes + chunk.length > limit) {
      accepted = chunk.subarray(0, limit - this.bytes);
      this.error ??= new AppError("unprocessable:checksum", `The upload is longer than the declared ${limit} bytes`);
    }
    this.bytes += accepted.length;
    this.hash.update(accepted);
    return accepted;
  }

  get overflowed(): boolean {
    return this.error !== undefined;
  }

  /** Call once the body has ended; returns the mismatch, if any (also kept in `error`). */
  finish(): AppError | undefined {
    if (this.error) return this.error;
    const sha256 = this.hash.digest("hex");
    const { contentLength, sha256: expectedSha } = this.expected;
    if (contentLength !== undefined && this.bytes !== contentLength) {
      this.endedShort = true;
      this.error = new AppError("unprocessable:checksum", `The upload is ${this.bytes} bytes, not the declared ${contentLength}`);
    } else if (expectedSha !== undefined && sha256 !== expectedSha) {
      this.error = new AppError("unprocessable:checksum", "The upload does not match the declared SHA-256");
    } else {
      this.digestValue = { size: this.bytes, sha256 };
    }
    return this.error;
  }

  /** Size and digest; only available once the whole body has passed and matched. */
  get digest(): Digest {
    if (!this.digestValue) throw new Error("UploadMeter: digest read before a successful finish()");
    return this.digestValue;
  }
}

/**
 * A pass-through for writing to a file: it fails as soon as the body runs past
 * the declared length (no point writing more) and at the end on any mismatch,
 * so the local driver never renames a wrong file into place.
 */
export class HashingStream extends Transform {
  readonly meter: UploadMeter;

  constructor(expected: { contentLength?: number; sha256?: string } = {}) {
    super();
    this.meter = new UploadMeter(expected);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const accepted = this.meter.write(chunk);
    callback(this.meter.overflowed ? this.meter.error : null, accepted);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.meter.finish());
  }
}

/** Buffers of any chunk a Node stream may yield (strings from object-mode streams, Uint8Arrays). */
export function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  throw new TypeError("Object bodies must yield bytes or strings");
}
