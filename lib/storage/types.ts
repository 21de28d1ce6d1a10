/**
 * The object-store contract: the interface both drivers (local filesystem, S3)
 * implement. The rules they must apply identically sit beside it — key and
 * option checks (keys.ts), the streams that hash an upload while it flows
 * (streams.ts), the Content-Disposition of a download (content-disposition.ts)
 * — which is what lets one contract test suite cover both drivers.
 */
import type { Readable } from "node:stream";

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

export interface TemporarySweep {
  /** What was removed: temporary file names, staging keys, or `key (upload id)` of aborted multipart uploads. */
  removed: string[];
  /** What the store could not be asked (an S3-compatible server without ListMultipartUploads). */
  skipped?: string;
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
  /**
   * Removes what uploads left behind when their process died mid-way, older
   * than `olderThanMs`: partial files in the local store's temporary folder;
   * staging objects and incomplete multipart uploads on S3. A live upload
   * keeps writing, so its temporary object stays young and is kept.
   */
  sweepTemporary(olderThanMs: number): Promise<TemporarySweep>;
  /** Resolves when the store is usable; throws AppError("unavailable:object_store") otherwise. */
  health(): Promise<void>;
}
