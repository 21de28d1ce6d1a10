/**
 * S3-compatible object store (AWS S3, R2, MinIO; s3rver in tests).
 *
 * An upload streams through an UploadMeter (byte count + SHA-256) into a staging key
 * (`~staging/<uuid>` — "~" can never appear in an application key), and only
 * once the bytes have matched the declared length/SHA-256 is the staging
 * object copied server-side onto the real key with the computed SHA-256 in its
 * metadata (`x-amz-meta-sha256`). This two-step shape exists because the hash
 * is only known after the last byte, while S3 metadata has to be sent before
 * the first; it also means a rejected upload never touches the real key — a
 * previous object there survives, and the staging object is deleted.
 */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type BucketLocationConstraint,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import type {
  ListedObject,
  ObjectBody,
  ObjectStore,
  PresignedPutOptions,
  PutOptions,
  SignedDownloadOptions,
  StoredObject,
  TemporarySweep,
} from "./types";
import { assertValidKey, assertValidPrefix, assertValidTtl, normalizePutOptions } from "./keys";
import { contentDisposition, safeContentType } from "./content-disposition";
import { UploadMeter, toBuffer, toNodeReadable } from "./streams";
import { notFound, unavailable } from "./errors";

export interface S3ObjectStoreOptions {
  bucket: string;
  region: string;
  /** Custom endpoint (R2, MinIO, s3rver); omit for AWS. */
  endpoint?: string;
  /** Path-style URLs (`endpoint/bucket/key`); most custom endpoints need it. */
  forcePathStyle?: boolean;
  /** Omit to use the SDK's default chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** How long to wait for a TCP connection, in ms. */
  connectionTimeoutMs?: number;
}

/** Keys under this prefix are in-flight uploads; list() never shows them. */
export const STAGING_PREFIX = "~staging/";
/**
 * The SDK's own logging, quietened: every error it logs is also thrown to us
 * and handled there, and its log entries carry the whole command input.
 */
const sdkLogger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (...content: unknown[]) => log.debug({ component: "s3" }, content.filter((c) => typeof c === "string").join(" ")),
  error: (...content: unknown[]) => {
    const entry = content[0] as { commandName?: unknown; error?: { name?: unknown } } | undefined;
    log.debug({ component: "s3", command: entry?.commandName, error: entry?.error?.name }, "S3 command failed");
  },
};

/** Used only when the length is unknown: lib-storage then holds one part in memory. */
const PART_SIZE = 5 * 1024 * 1024;
const HEALTH_TIMEOUT_MS = 5_000;
const ABORTED_UPLOAD_GRACE_MS = 250;

export class S3ObjectStore implements ObjectStore {
  readonly kind = "s3" as const;
  readonly bucket: string;
  /** Exposed for ensureBucket(), tests and operator scripts. */
  readonly client: S3Client;

  constructor(options: S3ObjectStoreOptions) {
    this.bucket = options.bucket;
    const config: S3ClientConfig = {
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
      credentials: options.credentials,
      // The default (WHEN_SUPPORTED) sends aws-chunked bodies with trailing CRC32,
      // which s3rver stores with the chunk framing, and bakes an empty-body
      // checksum into presigned URLs. Our own SHA-256 is the integrity check.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      requestHandler: { connectionTimeout: options.connectionTimeoutMs ?? 5_000 },
      // Without a logger the SDK warns on the console for every failed streamed
      // upload ("non-retryable streaming request") — expected after a rejected body.
      logger: sdkLogger,
    };
    this.client = new S3Client(config);
  }

  async put(key: string, body: ObjectBody, opts?: PutOptions): Promise<StoredObject> {
    assertValidKey(key);
    const options = normalizePutOptions(opts);
    const stagingKey = STAGING_PREFIX + randomUUID();
    const source = toNodeReadable(body);
    let sourceError: unknown;
    source.once("error", (error) => (sourceError = error));
    const meter = new UploadMeter({ contentLength: options.contentLength, sha256: options.expectedSha256 });
    const metered = Readable.from(meteredChunks(source, meter), { objectMode: false });
    // A piped request body that fails never ends the HTTP request by itself:
    // abort it (only a short body or a broken source get here, see meteredChunks).
    const abort = new AbortController();
    metered.once("error", () => abort.abort());

    let staged: { versionId?: string };
    try {
      staged = await this.uploadStream(stagingKey, metered, options.contentLength, abort);
      // The store may answer as soon as it has the declared bytes; wait until the
      // meter has seen the end of the body before trusting its verdict.
      await finished(metered);
    } catch (error) {
      metered.destroy();
      await this.deleteQuietly(stagingKey);
      if (abort.signal.aborted) {
        // S3 keeps nothing of an aborted PUT, but some compatible servers (s3rver)
        // create the object when the request starts and may do so after our
        // delete overtook it on another connection: look once more.
        await sleep(ABORTED_UPLOAD_GRACE_MS);
        await this.deleteQuietly(stagingKey);
      }
      throw meter.error ?? sourceError ?? storeError("Upload to the object store failed", error);
    }
    if (meter.error) {
      await this.deleteQuietly(stagingKey, staged.versionId);
      throw meter.error;
    }

    const { size, sha256 } = meter.digest;
    try {
      const copied = await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: key,
          CopySource: `${this.bucket}/${stagingKey}`,
          MetadataDirective: "REPLACE",
          Metadata: { ...options.metadata, sha256 },
          ContentType: options.contentType,
        }),
      );
      return {
        key,
        size,
        sha256,
        ...(copied.VersionId ? { versionId: copied.VersionId } : {}),
        ...(options.contentType ? { contentType: options.contentType } : {}),
        ...(options.metadata ? { metadata: options.metadata } : {}),
      };
    } catch (error) {
      throw storeError("Storing the object failed", error);
    } finally {
      await this.deleteQuietly(stagingKey, staged.versionId);
    }
  }

  async head(key: string): Promise<StoredObject | null> {
    assertValidKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      // Objects written by other tools have no sha256; "" never equals a real digest.
      const { sha256 = "", ...metadata } = out.Metadata ?? {};
      return {
        key,
        size: out.ContentLength ?? 0,
        sha256,
        ...(out.VersionId ? { versionId: out.VersionId } : {}),
        ...(out.ContentType ? { contentType: out.ContentType } : {}),
        ...(Object.keys(metadata).length ? { metadata } : {}),
      };
    } catch (error) {
      if (isMissingObject(error)) return null;
      throw storeError("Reading object metadata failed", error);
    }
  }

  async get(key: string): Promise<Readable> {
    assertValidKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (out.Body instanceof Readable) return out.Body;
      throw new Error("S3 GetObject returned a body that is not a Node stream");
    } catch (error) {
      if (isMissingObject(error)) throw notFound(key);
      throw storeError("Reading the object failed", error);
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      throw storeError("Deleting the object failed", error);
    }
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    assertValidPrefix(prefix);
    let token: string | undefined;
    do {
      let out: import("@aws-sdk/client-s3").ListObjectsV2CommandOutput;
      try {
        out = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix || undefined, ContinuationToken: token }),
        );
      } catch (error) {
        throw storeError("Listing objects failed", error);
      }
      for (const item of out.Contents ?? []) {
        if (!item.Key || item.Key.startsWith(STAGING_PREFIX)) continue;
        yield { key: item.Key, size: item.Size ?? 0 };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async signedDownloadUrl(key: string, opts: SignedDownloadOptions): Promise<string> {
    assertValidKey(key);
    assertValidTtl(opts.expiresInSeconds);
    const object = await this.head(key);
    if (!object) throw notFound(key);
    const contentType = safeContentType(opts.contentType) ?? safeContentType(object.contentType) ?? "application/octet-stream";
    // S3 cannot add X-Content-Type-Options to a presigned response; attachment plus a
    // safe-listed type is what keeps the file from rendering.
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition: contentDisposition(opts.filename),
        ResponseContentType: contentType,
        ResponseCacheControl: "private, no-store",
      }),
      { expiresIn: opts.expiresInSeconds },
    );
  }

  async presignedPut(key: string, opts: PresignedPutOptions): Promise<{ url: string; headers: Record<string, string> }> {
    assertValidKey(key);
    assertValidTtl(opts.expiresInSeconds);
    const checksum = Buffer.from(opts.sha256, "hex").toString("base64");
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ContentLength: opts.contentLength,
      ContentType: opts.contentType,
      ChecksumSHA256: checksum,
      Metadata: { sha256: opts.sha256 },
    });
    const headers = {
      "content-length": String(opts.contentLength),
      "content-type": opts.contentType,
      "x-amz-checksum-sha256": checksum,
      "x-amz-meta-sha256": opts.sha256,
    };
    const url = await getSignedUrl(this.client, command, {
      expiresIn: opts.expiresInSeconds,
      signableHeaders: new Set(Object.keys(headers)),
      unhoistableHeaders: new Set(["x-amz-checksum-sha256", "x-amz-meta-sha256"]),
    });
    // The browser sets Content-Length itself; it is still signed, so another length is refused.
    const { "content-length": _length, ...browserHeaders } = headers;
    return { url, headers: browserHeaders };
  }

  async sweepTemporary(olderThanMs: number): Promise<TemporarySweep> {
    const cutoff = Date.now() - olderThanMs;
    const removed: string[] = [];
    // Staging objects: a PUT cut off by a dead process (some servers keep what arrived).
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: STAGING_PREFIX, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key || !object.LastModified || object.LastModified.getTime() >= cutoff) continue;
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: object.Key }));
        removed.push(object.Key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    // Multipart uploads of a body of unknown length: their parts are billed until aborted.
    let marker: { key?: string; uploadId?: string } = {};
    for (;;) {
      let page: import("@aws-sdk/client-s3").ListMultipartUploadsCommandOutput;
      try {
        page = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: STAGING_PREFIX,
            KeyMarker: marker.key,
            UploadIdMarker: marker.uploadId,
          }),
        );
      } catch (error) {
        if (error instanceof S3ServiceException && error.name === "NotImplemented") {
          return { removed, skipped: "incomplete multipart uploads: this S3-compatible server cannot list them" };
        }
        throw error;
      }
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId || !upload.Initiated || upload.Initiated.getTime() >= cutoff) continue;
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.Key, UploadId: upload.UploadId }));
        removed.push(`${upload.Key} (${upload.UploadId})`);
      }
      if (!page.IsTruncated) return { removed };
      marker = { key: page.NextKeyMarker, uploadId: page.NextUploadIdMarker };
    }
  }

  async health(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), {
        abortSignal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
      });
    } catch (error) {
      throw unavailable(`The object store bucket "${this.bucket}" is not reachable`, error);
    }
  }

  /** Creates the bucket when it does not exist (dev and tests; production buckets are provisioned). */
  async ensureBucket(): Promise<void> {
    await ensureBucket(this.client, this.bucket);
  }

  /** Closes pooled sockets (tests, scripts). */
  destroy(): void {
    this.client.destroy();
  }

  // -------------------------------------------------------------------------

  private async uploadStream(
    key: string,
    body: Readable,
    contentLength: number | undefined,
    abort: AbortController,
  ): Promise<{ versionId?: string }> {
    if (contentLength !== undefined) {
      // Known length: one streamed PutObject, nothing held in memory. (The SDK
      // never retries a streamed body, which could not be replayed anyway.)
      const out = await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: contentLength }),
        { abortSignal: abort.signal },
      );
      return { versionId: out.VersionId };
    }
    // Unknown length: S3 needs Content-Length per request, so lib-storage cuts the
    // stream into parts; queueSize 1 keeps that to about one part per upload.
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body },
      partSize: PART_SIZE,
      queueSize: 1,
      leavePartsOnError: false,
      abortController: abort,
    });
    const out = await upload.done();
    return { versionId: out.VersionId };
  }

  private async deleteQuietly(key: string, versionId?: string): Promise<void> {
    try {
      // With a version id the staging bytes are really gone on a versioned bucket,
      // not hidden behind a delete marker.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }));
    } catch {
      // Best effort: a leftover staging object is invisible to list() and can be
      // expired by a bucket lifecycle rule on the "~staging/" prefix.
    }
  }
}

/**
 * The body sent to S3: the source's bytes, metered. A mismatch does not break
 * the stream — a body too long is cut at the declared length and a wrong hash
 * is only recorded — so the request completes normally and the staging object
 * can be deleted once the store has finished with it. Aborting instead would
 * race the cleanup on servers that create the object when a PUT starts
 * (s3rver does). Only a body shorter than declared, or a failing source,
 * throws here and aborts the request.
 */
async function* meteredChunks(source: Readable, meter: UploadMeter): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const accepted = meter.write(toBuffer(chunk));
    if (accepted.length > 0) yield accepted;
    // Leaving the loop destroys the source: nothing past the declared length is read.
    if (meter.overflowed) return;
  }
  const mismatch = meter.finish();
  if (meter.endedShort) throw mismatch;
}

/** Creates `bucket` unless it exists already. Safe to call concurrently. */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    if (!(error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) throw error;
  }
  const region = await client.config.region();
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the one region that rejects an explicit location constraint.
        ...(region && region !== "us-east-1"
          ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }
          : {}),
      }),
    );
  } catch (error) {
    const name = error instanceof S3ServiceException ? error.name : "";
    if (name === "BucketAlreadyOwnedByYou") return;
    // Another process may have won the race (s3rver answers BucketAlreadyExists then).
    if (name === "BucketAlreadyExists") {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      return;
    }
    throw error;
  }
}

function isMissingObject(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    error.name !== "NoSuchBucket" &&
    (error.name === "NoSuchKey" || error.name === "NotFound" || error.$metadata.httpStatusCode === 404)
  );
}

/** Keeps AppErrors as they are; anything else becomes a 503 whose cause is logged, not shown. */
function storeError(message: string, error: unknown): Error {
  if (isAppError(error)) return error;
  return unavailable(message, error);
}
