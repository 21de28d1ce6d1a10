/**
 * A throwaway S3-compatible server for integration tests: s3rver on
 * 127.0.0.1, a free port, its own temp directory, one bucket, no log output.
 * s3rver does not verify SigV4 signatures — fine for tests, never a default.
 */
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

interface S3rverOptions {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  resetOnClose: boolean;
  configureBuckets: { name: string; configs: (string | Buffer)[] }[];
}

/** The part of s3rver's (untyped, CommonJS) API these tests use. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}

const require = createRequire(import.meta.url);
const S3rver = require("s3rver") as new (options: S3rverOptions) => S3rverInstance;

export interface RunningS3rver {
  endpoint: string;
  bucket: string;
  /** s3rver accepts any well-formed credentials; these are its documented defaults. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  stop(): Promise<void>;
}

export async function startS3rver(bucket = "syncledger-test"): Promise<RunningS3rver> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "syncledger-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    directory,
    silent: true,
    resetOnClose: true,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const address = await server.run();
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    region: "us-east-1",
    async stop() {
      if (stopped) return;
      stopped = true;
      // Keep-alive sockets from the SDK would otherwise hold close() open.
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
