/**
 * The object store the app uses, chosen once from configuration: S3 when
 * S3_BUCKET is set, otherwise the local filesystem under OBJECT_STORE_DIR
 * (default `${DATA_DIR}/objects`).
 *
 * No `import "server-only"` here: that package throws outside Next's bundler,
 * and scripts and tests run this module under plain tsx/vitest. Nothing here
 * is reachable from client components anyway (it needs node:fs and secrets).
 */
import { hkdfSync } from "node:crypto";
import path from "node:path";
import { ConfigError, getConfig, type Config } from "@/lib/config";
import { LocalObjectStore } from "./local";
import { S3ObjectStore } from "./s3";
import type { ObjectStore } from "./types";

export type { ListedObject, ObjectBody, ObjectStore, PutOptions, SignedDownloadOptions, StoredObject, TemporarySweep } from "./types";
export { MAX_LINK_TTL_SECONDS } from "./keys";
export { contentDisposition, safeContentType } from "./content-disposition";
export { LocalObjectStore, verifyLocalDownload, type LocalDownloadLink, type LocalObjectStoreOptions } from "./local";
export { S3ObjectStore, ensureBucket, type S3ObjectStoreOptions } from "./s3";

const LINK_KEY_INFO = "syncledger-object-links";

/**
 * The HMAC key for local download links, derived from NEXTAUTH_SECRET so that
 * a leaked link key does not reveal the session secret (and vice versa).
 */
export function getObjectLinkSecret(config: Config = getConfig()): Buffer {
  if (!config.NEXTAUTH_SECRET) {
    throw new ConfigError(["NEXTAUTH_SECRET: is required to sign download links of the local object store (or set S3_BUCKET)"]);
  }
  return Buffer.from(hkdfSync("sha256", config.NEXTAUTH_SECRET, "", LINK_KEY_INFO, 32));
}

/** Builds a store from a configuration (tests and scripts pass their own). */
export function createObjectStore(config: Config): ObjectStore {
  if (config.S3_BUCKET) {
    return new S3ObjectStore({
      bucket: config.S3_BUCKET,
      // config.ts requires S3_REGION whenever S3_BUCKET is set.
      region: config.S3_REGION ?? "us-east-1",
      endpoint: config.S3_ENDPOINT,
      forcePathStyle: config.S3_FORCE_PATH_STYLE ?? Boolean(config.S3_ENDPOINT),
      credentials:
        config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
          ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
          : undefined,
    });
  }
  return new LocalObjectStore({
    // The operator's folder, not part of the app: without the ignore comment the bundler cannot
    // tell where it points and traces the whole project into the server output.
    root: path.resolve(/* turbopackIgnore: true */ config.OBJECT_STORE_DIR ?? path.join(config.DATA_DIR, "objects")),
    signingSecret: getObjectLinkSecret(config),
  });
}

let store: ObjectStore | undefined;

/** The process-wide store. */
export function getObjectStore(): ObjectStore {
  store ??= createObjectStore(getConfig());
  return store;
}

/** For tests that change the configuration between cases (pair with resetConfigCache()). */
export function resetObjectStore(): void {
  store = undefined;
}
