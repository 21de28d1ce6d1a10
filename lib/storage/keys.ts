/** Limits and checks both drivers apply alike: key and prefix syntax, link lifetimes, put options. */
import { AppError } from "@/lib/errors";
import type { PutOptions } from "./types";

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
    throw new AppError("bad_request:link_expiry", `expiresInSeconds must be a whole number between 1 and ${MAX_LINK_TTL_SECONDS}`);
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const META_KEY = /^[a-z0-9][a-z0-9-]{0,63}$/;
const META_VALUE = /^[\x20-\x7e]*$/;
const CONTENT_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"\\\r\n]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;
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
