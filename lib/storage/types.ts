/**
 * The object-store contract: the interface both drivers (local filesystem, S3)
 * implement, and the rules they must apply identically — key syntax, option
 * checks, the hashing stream that verifies an upload while it flows, and the
 * Content-Disposition a download is served with. Keeping the rules here, next
 * to the interface, is what lets one contract test suite cover both drivers.
 */
import { createHash, type Hash } from "node:crypto";
import { Readable, Transform, type TransformCallback } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { AppError } from "@/lib/errors";

// ---------------------------------------------------------------------------
// The interface
// ---------------------------------------------------------------------------

export interface PutOptions {
  /** Stored and used for downloads only when it is on the safe list (see safeContentType). */
  contentType?: string;
  /** Declared size in bytes; a body of another size is rejected and not kept. */
  contentLength?: number;
  /** Declared SHA-256 (hex); a body with another digest is rejected and not kept. */
  expectedSha256?: string;
  /** Small user metadata: lowercase keys [a-z0-9-], printable ASCII values (S3 rules). */
  metadata?: Record<string, string>;
}

export interface StoredObject {
  key: string;
  size: number;
  /** Hex SHA-256 of the bytes, computed by this layer at upload time. */
  sha256: string;
  versionId?: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

export interface ListedObject {
  key: string;
  size: number;
}

export interface SignedDownloadOptions {
  /** The name the browser saves the file as; non-ASCII is sent RFC 5987-encoded. */
  filename: string;
  /** Overrides the stored type when it is on the safe list; otherwise octet-stream. */
  contentType?: string;
  /** At most MAX_LINK_TTL_SECONDS. */
  expiresInSeconds: number;
}

export interface PresignedPutOptions {
  contentLength: number;
  /** Hex SHA-256 of the body; S3 refuses a body with another checksum. */
  sha256: string;
  contentType: string;
  expiresInSeconds: number;
}

export type ObjectBody = Readable | ReadableStream<Uint8Array> | Uint8Array | string;

export interface ObjectStore {
  readonly kind: "local" | "s3";
  /**
   * Streams the body into the store, hashing it on the way. When the declared
   * length or SHA-256 does not match, nothing is left stored under `key` (a
   * previous object there is kept) and AppError("unprocessable:checksum") is thrown.
   */
  put(key: string, body: ObjectBody, opts?: PutOptions): Promise<StoredObject>;
  /** null when there is no such object. */
  head(key: string): Promise<StoredObject | null>;
  /** Throws AppError("not_found:object") when there is no such object. */
  get(key: string): Promise<Readable>;
  /** Deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Every object whose key starts with `prefix`, in lexicographic key order
   * (AWS S3 and the local driver; s3rver, the test server, orders by its
   * directory walk instead, so callers must not depend on order across "/").
   */
  list(prefix: string): AsyncIterable<ListedObject>;
  /**
   * A short-lived link that serves the object as an attachment. Throws
   * AppError("not_found:object") when there is no such object.
   */
  signedDownloadUrl(key: string, opts: SignedDownloadOptions): Promise<string>;
  /**
   * Stores that take uploads straight from the browser (S3): a short-lived URL
   * for a PUT of exactly `contentLength` bytes whose SHA-256 is `sha256`, and
   * the headers the PUT must carry (they are part of the signature).
   */
  presignedPut?(key: string, opts: PresignedPutOptions): Promise<{ url: string; headers: Record<string, string> }>;
  /** Resolves when the store is usable; throws AppError("unavailable:object_store") otherwise. */
  health(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Limits and validation shared by both drivers
// ---------------------------------------------------------------------------

/** Download links are bearer capabilities; keep their lifetime short. */
export const MAX_LINK_TTL_SECONDS = 300;
export const MAX_KEY_LENGTH = 1024;
export const MAX_KEY_SEGMENT_LENGTH = 200;

const KEY_CHARS = /^[A-Za-z0-9/._-]+$/;

/**
 * Throws AppError("bad_request:object_key") unless `key` is a safe key. Beyond
 * the character set, empty and "." segments are refused: the local driver maps
 * segments to directories, and "a/./b" or "a//b" would alias "a/b".
 */
export function assertValidKey(key: string): void {
  const problem = keyProblem(key, false);
  if (problem) throw new AppError("bad_request:object_key", `Invalid object key: ${problem}`);
}

/** A list prefix follows the key rules but may be empty or end with "/". */
export function assertValidPrefix(prefix: string): void {
  if (prefix === "") return;
  const problem = keyProblem(prefix, true);
  if (problem) throw new AppError("bad_request:object_key", `Invalid object key prefix: ${problem}`);
}

function keyProblem(key: string, isPrefix: boolean): string | undefined {
  if (typeof key !== "string" || key.length === 0) return "it is empty";
  if (key.length > MAX_KEY_LENGTH) return `it is longer than ${MAX_KEY_LENGTH} characters`;
  if (key.includes("\0")) return "it contains a NUL character";
  if (key.startsWith("/")) return "it starts with /";
  if (key.includes("..")) return 'it contains ".."';
  if (!KEY_CHARS.test(key)) return "only letters, digits and / . _ - are allowed";
  const segments = key.split("/");
  if (isPrefix && segments[segments.length - 1] === "") segments.pop();
  if (segments.some((s) => s === "" || s === ".")) return 'it has an empty or "." path segment';
  // The local driver stores a segment as a file name (limit 255 bytes, with a suffix).
  if (segments.some((s) => s.length > MAX_KEY_SEGMENT_LENGTH)) {
    return `a path segment is longer than ${MAX_KEY_SEGMENT_LENGTH} characters`;
  }
  return undefined;
}

export function assertValidTtl(expiresInSeconds: number): void {
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_LINK_TTL_SECONDS) {
    throw new AppError(
      "bad_request:link_expiry",
      `expiresInSeconds must be a whole number between 1 and ${MAX_LINK_TTL_SECONDS}`,
    );
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const META_KEY = /^[a-z0-9][a-z0-9-]{0,63}$/;
const META_VALUE = /^[\x20-\x7e]*$/;
const CONTENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"\\\r\n]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;
/** Metadata the drivers write themselves; callers may not set it. */
export const RESERVED_METADATA_KEYS = new Set(["sha256"]);

/** Checks and normalises PutOptions the same way for both drivers. */
export function normalizePutOptions(opts: PutOptions = {}): PutOptions {
  const out: PutOptions = {};
  if (opts.contentLength !== undefined) {
    if (!Number.isSafeInteger(opts.contentLength) || opts.contentLength < 0) {
      throw new AppError("bad_request:object_length", "contentLength must be a non-negative integer");
    }
    out.contentLength = opts.contentLength;
  }
  if (opts.expectedSha256 !== undefined) {
    if (!SHA256_HEX.test(opts.expectedSha256)) {
      throw new AppError("bad_request:object_checksum", "expectedSha256 must be 64 hex characters");
    }
    out.expectedSha256 = opts.expectedSha256.toLowerCase();
  }
  if (opts.contentType !== undefined) {
    if (opts.contentType.length > 255 || !CONTENT_TYPE.test(opts.contentType)) {
      throw new AppError("bad_request:object_content_type", "contentType is not a valid media type");
    }
    out.contentType = opts.contentType;
  }
  if (opts.metadata !== undefined) {
    let total = 0;
    for (const [k, v] of Object.entries(opts.metadata)) {
      if (!META_KEY.test(k) || RESERVED_METADATA_KEYS.has(k) || !META_VALUE.test(v)) {
        throw new AppError(
          "bad_request:object_metadata",
          `metadata "${k}" is not allowed: keys are lowercase [a-z0-9-], values printable ASCII`,
        );
      }
      total += k.length + v.length;
    }
    // S3 caps user metadata at 2 KB; enforce it for the local driver too.
    if (total > 2048) throw new AppError("bad_request:object_metadata", "metadata is larger than 2 KB");
    out.metadata = { ...opts.metadata };
  }
  return out;
}

// ---------------------------------------------------------------------------
// Content types and Content-Disposition for downloads
// ---------------------------------------------------------------------------

/**
 * Types a browser may be told about. Anything else (HTML, SVG, XML, scripts…)
 * is served as application/octet-stream so an uploaded file can never run in
 * the app's origin, even if a browser ignored `attachment`.
 */
const SAFE_CONTENT_TYPES = new Set([
  "application/pdf",
  "application/json",
  "application/zip",
  "application/gzip",
  "application/x-ndjson",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.ms-excel",
  "application/msword",
  "text/csv",
  "text/plain",
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
]);

/** The media type to serve, or undefined when the stored one is not on the safe list. */
export function safeContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const [essenceRaw, ...params] = contentType.split(";");
  const essence = essenceRaw.trim().toLowerCase();
  if (!SAFE_CONTENT_TYPES.has(essence)) return undefined;
  const charset = params
    .map((p) => p.trim().match(/^charset=([A-Za-z0-9._-]{1,40})$/i)?.[1])
    .find(Boolean);
  return essence.startsWith("text/") && charset ? `${essence}; charset=${charset}` : essence;
}

/**
 * `attachment; filename="ascii-fallback"; filename*=UTF-8''percent-encoded`
 * (RFC 6266 with RFC 5987 for names that are not plain ASCII).
 */
export function contentDisposition(filename: string): string {
  const name = cleanFilename(filename);
  const fallback = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  if (fallback === name) return `attachment; filename="${name}"`;
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/** Drops what could make a name a path or break the header; never returns "". */
function cleanFilename(filename: string): string {
  const cleaned = filename
    .normalize("NFC")
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
    .replace(/[/\\]/g, "_")
    .trim()
    .slice(0, 200);
  return cleaned === "" || cleaned === "." || cleaned === ".." ? "download" : cleaned;
}

function encodeRfc5987(value: string): string {
  // encodeURIComponent leaves ' ( ) * unescaped, which are not attr-chars.
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// ---------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------

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
      this.error = new AppError(
        "unprocessable:checksum",
        `The upload is ${this.bytes} bytes, not the declared ${contentLength}`,
      );
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

export function notFound(key: string): AppError {
  return new AppError("not_found:object", `No object stored under "${key}"`);
}

export function unavailable(message: string, cause: unknown): AppError {
  const error = new AppError("unavailable:object_store", message);
  error.cause = cause;
  return error;
}
