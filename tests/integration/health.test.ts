/**
 * /api/health in a database of its own: its ledger check turns red while any
 * tenant's signing is stopped, which tamper tests in other files cause on purpose.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { resetConfigCache } from "@/lib/config";
import { resetObjectStore } from "@/lib/storage";
import { useOwnDatabase } from "../helpers/own-database";
import { startS3rver } from "../helpers/s3rver";

let own: Awaited<ReturnType<typeof useOwnDatabase>>;
beforeAll(async () => {
  own = await useOwnDatabase("health");
});
afterAll(async () => {
  await own?.drop();
});

const saved = { ...process.env };

afterEach(() => {
  for (const k of ["S3_BUCKET", "S3_REGION", "S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  resetConfigCache();
  resetObjectStore();
});

function useS3(endpoint: string, bucket: string) {
  Object.assign(process.env, {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    S3_REGION: "us-east-1",
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
  });
  resetConfigCache();
  resetObjectStore();
}

describe("GET /api/health", () => {
  it("answers 200 when the database and the object store answer", async () => {
    const res = await GET();
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ok",
      database: { status: "up" },
      objectStore: { status: "up" },
      ledger: { status: "up" },
    });
  });

  it("answers 200 with S3 storage, and 503 naming the object store when it goes down", async () => {
    const s3 = await startS3rver();
    useS3(s3.endpoint, s3.bucket);
    expect((await GET()).status).toBe(200);
    await s3.stop();
    const res = await GET();
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "degraded", database: { status: "up" }, objectStore: { status: "down" } });
  });
});
