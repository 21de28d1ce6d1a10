/**
 * Uploads cut off by a process that died leave temporary objects behind; the
 * sweep removes those older than the limit and keeps fresh ones. The local
 * store's upload is really cut off (its process is killed); on S3 (s3rver)
 * the staging objects such a PUT leaves are swept.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, resetConfigCache } from "@/lib/config";
import { createObjectStore, resetObjectStore, type S3ObjectStore } from "@/lib/storage";
import { STAGING_PREFIX } from "@/lib/storage/s3";
import { sweepTemporaryUploads } from "@/lib/uploads/internal";
import { startS3rver, type RunningS3rver } from "../helpers/s3rver";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const root = path.resolve(__dirname, "../..");

describe("sweeping temporary upload objects: local store", () => {
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "syncledger-sweep-"));
    process.env.OBJECT_STORE_DIR = dir;
    resetConfigCache();
    resetObjectStore();
  });
  afterAll(async () => {
    process.env = saved;
    resetConfigCache();
    resetObjectStore();
    await rm(dir, { recursive: true, force: true });
  });

  it("an upload whose process was killed mid-stream leaves a partial file; the sweep removes it and keeps a fresh one", async () => {
    // node itself with tsx's loader, not the tsx command (which runs node as a child the kill would miss).
    const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/upload-then-hang.ts", dir], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: "tsconfig.scripts.json" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("streaming") && resolve());
      child.once("exit", (code) => reject(new Error(`the uploading process exited early (${code})`)));
    });
    // Killed once the megabyte it sent is in the store's temporary file.
    for (let i = 0; i < 100; i++) {
      const names = await readdir(path.join(dir, "~tmp")).catch(() => []);
      const size = names.length ? (await stat(path.join(dir, "~tmp", names[0]))).size : 0;
      if (size === 1024 * 1024) break;
      await sleep(50);
    }
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const left = await readdir(path.join(dir, "~tmp"));
    expect(left).toHaveLength(1);
    expect((await stat(path.join(dir, "~tmp", left[0]))).size).toBe(1024 * 1024);

    await sleep(1_200);
    // An upload under way in this process: its file is young.
    const live = new PassThrough();
    const { getObjectStore } = await import("@/lib/storage");
    const running = getObjectStore()
      .put("evidence/live.pdf", live, { contentLength: 100 })
      .catch((e: Error) => e);
    await new Promise<void>((resolve) => live.write(Buffer.alloc(10), () => resolve()));
    await sleep(100);
    expect(await readdir(path.join(dir, "~tmp"))).toHaveLength(2);

    const sweep = await sweepTemporaryUploads(1_000);
    expect(sweep.removed).toEqual([`~tmp/${left[0]}`]);
    const after = await readdir(path.join(dir, "~tmp"));
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(left[0]);

    // The live upload is untouched and finishes as it would have.
    live.end(Buffer.alloc(90));
    expect(await running).toMatchObject({ key: "evidence/live.pdf", size: 100 });
  });
});

describe("sweeping temporary upload objects: S3 (s3rver)", () => {
  let server: RunningS3rver;
  let store: S3ObjectStore;

  beforeAll(async () => {
    server = await startS3rver();
    store = createObjectStore(
      parseConfig({
        S3_BUCKET: server.bucket,
        S3_ENDPOINT: server.endpoint,
        S3_REGION: server.region,
        S3_ACCESS_KEY_ID: server.credentials.accessKeyId,
        S3_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      }),
    ) as S3ObjectStore;
  });
  afterAll(async () => {
    store?.destroy();
    await server?.stop();
  });

  it("removes staging objects older than the limit, keeps fresh ones and real objects, and says what it could not list", async () => {
    // What s3rver keeps of a PUT cut off mid-body: the staging object it created when the request began.
    const old = `${STAGING_PREFIX}cut-off-upload`;
    await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: old, Body: "partial" }));
    await store.put("evidence/kept.txt", "kept");
    await sleep(2_500);
    const fresh = `${STAGING_PREFIX}under-way`;
    await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: fresh, Body: "partial" }));

    const sweep = await store.sweepTemporary(2_000);
    expect(sweep.removed).toEqual([old]);
    // s3rver has no ListMultipartUploads; on S3 itself the incomplete multipart uploads are aborted too.
    expect(sweep.skipped).toMatch(/multipart/);
    expect(await store.head("evidence/kept.txt")).toMatchObject({ size: 4 });
    const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
    const listed = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, Prefix: STAGING_PREFIX }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([fresh]);
  });
});
