/**
 * One contract for both object-store drivers: the local filesystem driver on a
 * temp directory and the S3 driver against a real S3 protocol server
 * (s3rver). Whatever the app relies on — integrity checks on upload, nothing
 * left behind by a rejected upload, listing, signed attachment downloads —
 * must hold for both, so every case runs against each.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as downloadRoute } from "@/app/api/objects/route";
import { parseConfig, resetConfigCache } from "@/lib/config";
import {
  createObjectStore,
  getObjectLinkSecret,
  getObjectStore,
  LocalObjectStore,
  resetObjectStore,
  S3ObjectStore,
  verifyLocalDownload,
  type ObjectStore,
} from "@/lib/storage";
import { STAGING_PREFIX } from "@/lib/storage/s3";
import { startS3rver, type RunningS3rver } from "@/tests/helpers/s3rver";

// ---------------------------------------------------------------------------
// Harnesses
// ---------------------------------------------------------------------------

interface Harness {
  store: ObjectStore;
  /** Follows a signed download link the way a browser would. */
  download(url: string): Promise<Response>;
  /** Temporary upload artefacts still present (temp files, staging objects). */
  leftovers(): Promise<string[]>;
  teardown(): Promise<void>;
}

const TEST_SECRET = "test-nextauth-secret-0123456789abcdef0123456789";

/** Local driver built the way the app builds it, so the route handler serves the same store. */
async function setupLocal(): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "syncledger-objects-"));
  const saved = { ...process.env };
  delete process.env.S3_BUCKET;
  delete process.env.S3_ENDPOINT;
  process.env.OBJECT_STORE_DIR = dir;
  process.env.NEXTAUTH_SECRET = TEST_SECRET;
  resetConfigCache();
  resetObjectStore();
  const store = getObjectStore();
  expect(store).toBeInstanceOf(LocalObjectStore);
  return {
    store,
    download: (url) => downloadRoute(new Request(new URL(url, "http://localhost"))),
    leftovers: async () => readdir(path.join(dir, "~tmp")).catch(() => []),
    async teardown() {
      process.env = saved;
      resetConfigCache();
      resetObjectStore();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function setupS3(): Promise<Harness> {
  const server = await startS3rver();
  const store = createObjectStore(
    parseConfig({
      S3_BUCKET: server.bucket,
      S3_ENDPOINT: server.endpoint,
      S3_REGION: server.region,
      S3_ACCESS_KEY_ID: server.credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    }),
  );
  if (!(store instanceof S3ObjectStore)) throw new Error("expected the S3 driver");
  await store.ensureBucket(); // exists already (s3rver created it): must be a no-op
  return {
    store,
    download: (url) => fetch(url),
    async leftovers() {
      const out = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, Prefix: STAGING_PREFIX }));
      return (out.Contents ?? []).map((o) => o.Key ?? "");
    },
    async teardown() {
      store.destroy();
      await server.stop();
    },
  };
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Hashes a stream without keeping it. */
async function digestOf(stream: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { size, sha256: hash.digest("hex") };
}

/**
 * Deterministic bytes, generated chunk by chunk so a large body is never in
 * memory at once; every chunk differs so reordering or dropping one shows.
 */
function* generatedChunks(totalBytes: number, chunkSize = 256 * 1024): Generator<Buffer> {
  for (let offset = 0, i = 0; offset < totalBytes; offset += chunkSize, i++) {
    const chunk = Buffer.alloc(Math.min(chunkSize, totalBytes - offset));
    chunk.fill(createHash("sha256").update(`chunk-${i}`).digest());
    yield chunk;
  }
}

function generatedStream(totalBytes: number): Readable {
  return Readable.from(generatedChunks(totalBytes), { objectMode: false });
}

async function keysUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of store.list(prefix)) keys.push(item.key);
  return keys;
}

const MB = 1024 * 1024;

// ---------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------

describe.each([
  { driver: "local", setup: setupLocal },
  { driver: "s3", setup: setupS3 },
])("object store contract: $driver", ({ setup }) => {
  let h: Harness;
  let store: ObjectStore;
  /** Each test works under its own prefix so cases cannot see each other's objects. */
  const scope = () => `contract/${randomUUID()}/`;

  beforeAll(async () => {
    h = await setup();
    store = h.store;
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it("stores a streamed body and head() reports its size and SHA-256", async () => {
    const key = `${scope()}report.csv`;
    const parts = ["id,name\n", "1,Ada\n", "2,Grace\n"];
    const expected = sha256(parts.join(""));

    const stored = await store.put(key, Readable.from(parts), {
      contentType: "text/csv",
      metadata: { "uploaded-by": "user-42" },
    });
    expect(stored).toMatchObject({ key, size: Buffer.byteLength(parts.join("")), sha256: expected });

    const head = await store.head(key);
    expect(head).toMatchObject({
      key,
      size: stored.size,
      sha256: expected,
      contentType: "text/csv",
      metadata: { "uploaded-by": "user-42" },
    });
  });

  it("get() streams back the identical bytes, whatever body type went in", async () => {
    const prefix = scope();
    const backing = Buffer.from("..xyz-binary\u0000\u00ff-payload..", "latin1");
    const bodies: [string, () => Parameters<ObjectStore["put"]>[1], Buffer][] = [
      ["string", () => "héllo wörld", Buffer.from("héllo wörld", "utf8")],
      // A view into a larger buffer: only the viewed bytes may be stored.
      ["uint8array", () => new Uint8Array(backing.buffer, backing.byteOffset + 2, backing.length - 4), backing.subarray(2, -2)],
      [
        "web-stream",
        () =>
          new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(new TextEncoder().encode("web "));
              c.enqueue(new TextEncoder().encode("stream"));
              c.close();
            },
          }),
        Buffer.from("web stream"),
      ],
      ["empty", () => new Uint8Array(0), Buffer.alloc(0)],
    ];
    for (const [name, body, bytes] of bodies) {
      const stored = await store.put(prefix + name, body());
      expect(stored.sha256, name).toBe(sha256(bytes));
      expect(stored.size, name).toBe(bytes.length);
      expect((await readAll(await store.get(prefix + name))).equals(bytes), name).toBe(true);
    }
  });

  it("stores a 25 MB body streamed in chunks with declared length and hash", { timeout: 120_000 }, async () => {
    const key = `${scope()}large.bin`;
    const total = 25 * MB - 7;
    const expected = await digestOf(generatedChunks(total));

    const stored = await store.put(key, generatedStream(total), {
      contentLength: total,
      expectedSha256: expected.sha256,
    });
    expect(stored).toMatchObject({ size: total, sha256: expected.sha256 });
    expect(await store.head(key)).toMatchObject({ size: total, sha256: expected.sha256 });
    expect(await digestOf(await store.get(key))).toEqual(expected);
  });

  it("stores a streamed body of unknown length larger than one upload part", { timeout: 120_000 }, async () => {
    const key = `${scope()}unknown-length.bin`;
    const total = 12 * MB + 5;
    const expected = await digestOf(generatedChunks(total));

    const stored = await store.put(key, generatedStream(total));
    expect(stored).toMatchObject({ size: total, sha256: expected.sha256 });
    expect(await digestOf(await store.get(key))).toEqual(expected);
  });

  it("rejects a body whose SHA-256 differs from expectedSha256 and keeps nothing", async () => {
    const prefix = scope();
    const key = `${prefix}tampered.txt`;
    await expect(store.put(key, Readable.from(["what was sent"]), { expectedSha256: sha256("what was declared") })).rejects.toMatchObject({
      code: "unprocessable:checksum",
    });
    expect(await store.head(key)).toBeNull();
    expect(await keysUnder(store, prefix)).toEqual([]);
  });

  it("rejects a body shorter or longer than contentLength and keeps nothing", async () => {
    const prefix = scope();
    await expect(store.put(`${prefix}short`, Readable.from(["12345"]), { contentLength: 6 })).rejects.toMatchObject({
      code: "unprocessable:checksum",
    });
    await expect(store.put(`${prefix}long`, Readable.from(["1234", "5678"]), { contentLength: 6 })).rejects.toMatchObject({
      code: "unprocessable:checksum",
    });
    // A large body that overflows mid-stream must stop, not upload everything first.
    await expect(store.put(`${prefix}large-long`, generatedStream(3 * MB), { contentLength: 2 * MB })).rejects.toMatchObject({
      code: "unprocessable:checksum",
    });
    expect(await store.head(`${prefix}short`)).toBeNull();
    expect(await store.head(`${prefix}long`)).toBeNull();
    expect(await store.head(`${prefix}large-long`)).toBeNull();
    expect(await keysUnder(store, prefix)).toEqual([]);
  });

  it("keeps the previous object when an overwrite is rejected", async () => {
    const key = `${scope()}evidence.txt`;
    await store.put(key, "version one");
    await expect(store.put(key, "version two", { expectedSha256: sha256("something else") })).rejects.toMatchObject({
      code: "unprocessable:checksum",
    });
    expect((await readAll(await store.get(key))).toString()).toBe("version one");
    expect(await store.head(key)).toMatchObject({ sha256: sha256("version one") });
  });

  it("replaces an object on a successful overwrite", async () => {
    const prefix = scope();
    const key = `${prefix}doc.txt`;
    await store.put(key, "first");
    await store.put(key, "second, longer", { contentType: "text/plain" });
    expect((await readAll(await store.get(key))).toString()).toBe("second, longer");
    expect(await store.head(key)).toMatchObject({ size: 14, sha256: sha256("second, longer") });
    expect(await keysUnder(store, prefix)).toEqual([key]);
  });

  it("surfaces an error from the source stream and keeps nothing", async () => {
    const key = `${scope()}broken.bin`;
    async function* failing() {
      yield Buffer.from("partial data");
      throw new Error("client went away");
    }
    await expect(store.put(key, Readable.from(failing()))).rejects.toThrow("client went away");
    expect(await store.head(key)).toBeNull();
  });

  it("lists objects by prefix in key order with their sizes", async () => {
    const p = scope();
    const keys = [`${p}b/5.txt`, `${p}a/2.txt`, `${p}a/b/3.txt`, `${p}ab/4.txt`, `${p}a/1.txt`, `${p}a-c.txt`];
    for (const key of keys) await store.put(key, `content of ${key}`);

    const listed: { key: string; size: number }[] = [];
    for await (const item of store.list(`${p}a/`)) listed.push(item);
    expect(listed).toEqual([`${p}a/1.txt`, `${p}a/2.txt`, `${p}a/b/3.txt`].map((key) => ({ key, size: `content of ${key}`.length })));
    // A prefix that ends mid-segment matches across "directories". Compared as a set:
    // real S3 and the local driver return byte order ("-" < "/" < "b"), but s3rver
    // walks its directory tree and returns "a/…" before "a-c.txt".
    expect((await keysUnder(store, `${p}a`)).sort()).toEqual([
      `${p}a-c.txt`,
      `${p}a/1.txt`,
      `${p}a/2.txt`,
      `${p}a/b/3.txt`,
      `${p}ab/4.txt`,
    ]);
    expect((await keysUnder(store, p)).sort()).toEqual([...keys].sort());
    expect(await keysUnder(store, `${p}nothing-here/`)).toEqual([]);
  });

  it("deletes an object; deleting again is not an error", async () => {
    const prefix = scope();
    const key = `${prefix}dir/to-delete.txt`;
    const sibling = `${prefix}dir/sibling.txt`;
    await store.put(key, "bye");
    await store.put(sibling, "stay");
    await store.delete(key);
    expect(await store.head(key)).toBeNull();
    await expect(store.get(key)).rejects.toMatchObject({ code: "not_found:object" });
    expect(await keysUnder(store, prefix)).toEqual([sibling]);
    await expect(store.delete(key)).resolves.toBeUndefined();
    // Deleting the last object of a "directory" must not break writing there again.
    await store.delete(sibling);
    await store.put(key, "again");
    expect((await readAll(await store.get(key))).toString()).toBe("again");
  });

  it("head() of a missing object is null and get() is not_found", async () => {
    const key = `${scope()}missing.txt`;
    expect(await store.head(key)).toBeNull();
    await expect(store.get(key)).rejects.toMatchObject({ code: "not_found:object", status: 404 });
  });

  it("rejects unsafe or malformed keys in every operation", async () => {
    const bad = [
      "../escape",
      "a/../../escape",
      "/absolute",
      "nul\u0000byte",
      "x".repeat(1025),
      "with space",
      "a//b",
      "a/./b",
      "trailing/",
      "",
      "ümlaut",
      "back\\slash",
      "~staging/x",
    ];
    for (const key of bad) {
      const label = JSON.stringify(key.slice(0, 20));
      await expect(store.put(key, "x"), label).rejects.toMatchObject({ code: "bad_request:object_key" });
      await expect(store.head(key), label).rejects.toMatchObject({ code: "bad_request:object_key" });
      await expect(store.get(key), label).rejects.toMatchObject({ code: "bad_request:object_key" });
      await expect(store.delete(key), label).rejects.toMatchObject({ code: "bad_request:object_key" });
      await expect(store.signedDownloadUrl(key, { filename: "f", expiresInSeconds: 60 }), label).rejects.toMatchObject({
        code: "bad_request:object_key",
      });
    }
    await expect(keysUnder(store, "../")).rejects.toMatchObject({ code: "bad_request:object_key" });
    const longSegment = `${scope()}${"s".repeat(201)}`;
    await expect(store.put(longSegment, "x")).rejects.toMatchObject({ code: "bad_request:object_key" });
    // The longest allowed key (1024 characters, segments of up to 200) works in both drivers.
    const start = scope();
    const segments = Math.ceil((1024 - start.length) / 201);
    let longKey = start + Array.from({ length: segments }, () => "k".repeat(200)).join("/");
    longKey = longKey.slice(0, 1024).replace(/\/$/, "x");
    expect(longKey).toHaveLength(1024);
    await expect(store.put(longKey, "ok")).resolves.toMatchObject({ key: longKey });
    expect((await readAll(await store.get(longKey))).toString()).toBe("ok");
  });

  it("rejects malformed put options before storing anything", async () => {
    const key = `${scope()}opts.txt`;
    await expect(store.put(key, "x", { expectedSha256: "not-hex" })).rejects.toMatchObject({
      code: "bad_request:object_checksum",
    });
    await expect(store.put(key, "x", { contentLength: -1 })).rejects.toMatchObject({
      code: "bad_request:object_length",
    });
    await expect(store.put(key, "x", { metadata: { sha256: "forged" } })).rejects.toMatchObject({
      code: "bad_request:object_metadata",
    });
    await expect(store.put(key, "x", { contentType: "text/html\r\nX-Evil: 1" })).rejects.toMatchObject({
      code: "bad_request:object_content_type",
    });
    expect(await store.head(key)).toBeNull();
  });

  it("serves a signed download link as an attachment with the exact bytes", async () => {
    const key = `${scope()}report.pdf`;
    const bytes = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(70_000, 7)]);
    await store.put(key, bytes, { contentType: "application/pdf" });

    const url = await store.signedDownloadUrl(key, { filename: "Prüfbericht 2024 (final).pdf", expiresInSeconds: 60 });
    const response = await h.download(url);
    expect(response.status).toBe(200);
    const disposition = response.headers.get("content-disposition") ?? "";
    expect(disposition).toMatch(/^attachment;/);
    expect(disposition).toContain(`filename="Pr_fbericht 2024 (final).pdf"`);
    expect(disposition).toContain("filename*=UTF-8''Pr%C3%BCfbericht%202024%20%28final%29.pdf");
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("serves a stored type that could render in the browser as application/octet-stream", async () => {
    const key = `${scope()}page.html`;
    await store.put(key, "<script>alert(1)</script>", { contentType: "text/html" });
    const response = await h.download(await store.signedDownloadUrl(key, { filename: "page.html", expiresInSeconds: 30 }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="page.html"`);
    expect(await response.text()).toBe("<script>alert(1)</script>");
  });

  it("refuses link lifetimes over 300 seconds and links to missing objects", async () => {
    const key = `${scope()}f.txt`;
    await store.put(key, "x");
    for (const expiresInSeconds of [301, 0, -5, 1.5]) {
      await expect(store.signedDownloadUrl(key, { filename: "f.txt", expiresInSeconds })).rejects.toMatchObject({
        code: "bad_request:link_expiry",
      });
    }
    await expect(store.signedDownloadUrl(key, { filename: "f.txt", expiresInSeconds: 300 })).resolves.toBeTypeOf("string");
    await expect(store.signedDownloadUrl(`${scope()}absent.txt`, { filename: "f.txt", expiresInSeconds: 60 })).rejects.toMatchObject({
      code: "not_found:object",
    });
  });

  it("leaves no temporary upload files or staging objects behind", async () => {
    // Runs after the rejected uploads above.
    expect(await h.leftovers()).toEqual([]);
  });

  it("health() passes while the store is reachable", async () => {
    await expect(store.health()).resolves.toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// Driver-specific behaviour
// ---------------------------------------------------------------------------

describe("local driver: signed link route", () => {
  let h: Harness;
  let store: ObjectStore;
  let key: string;
  let url: URL;

  beforeAll(async () => {
    h = await setupLocal();
    store = h.store;
    key = `links/${randomUUID()}/evidence.txt`;
    await store.put(key, "evidence body", { contentType: "text/plain; charset=utf-8" });
    await store.put(`links/other.txt`, "someone else's evidence");
    url = new URL(await store.signedDownloadUrl(key, { filename: "evidence.txt", expiresInSeconds: 120 }), "http://localhost");
  });
  afterAll(async () => {
    await h?.teardown();
  });

  async function expectRefused(target: URL) {
    const response = await downloadRoute(new Request(target));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: { code: "forbidden:object_link", message: expect.any(String) },
    });
  }

  it("is a relative link to /api/objects and serves the hardened headers", async () => {
    expect(url.pathname).toBe("/api/objects");
    const response = await downloadRoute(new Request(url));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("content-length")).toBe(String("evidence body".length));
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="evidence.txt"`);
    expect(await response.text()).toBe("evidence body");
  });

  it("refuses an expired link with 403", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 121_000);
      await expectRefused(url);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses a tampered link with 403", async () => {
    for (const [param, value] of [
      ["key", "links/other.txt"],
      ["exp", String(Number(url.searchParams.get("exp")) + 3600)],
      ["name", "renamed.exe"],
      ["type", "text/html"],
      ["sig", `${url.searchParams.get("sig")?.slice(0, -2)}AA`],
      ["sig", ""],
    ] as const) {
      const tampered = new URL(url);
      tampered.searchParams.set(param, value);
      await expectRefused(tampered);
    }
    const unsigned = new URL(url);
    unsigned.searchParams.delete("sig");
    await expectRefused(unsigned);
  });

  it("verifyLocalDownload() checks signature and expiry with the derived secret", () => {
    const secret = getObjectLinkSecret();
    const now = Math.floor(Date.now() / 1000);
    expect(verifyLocalDownload(url.searchParams, secret, now)).toMatchObject({ key, filename: "evidence.txt" });
    expect(() => verifyLocalDownload(url.searchParams, secret, now + 200)).toThrow(
      expect.objectContaining({ code: "forbidden:object_link" }),
    );
    // A link signed with another deployment's secret is worthless here.
    expect(() => verifyLocalDownload(url.searchParams, Buffer.alloc(32, 1), now)).toThrow(
      expect.objectContaining({ code: "forbidden:object_link" }),
    );
  });

  it("answers 404 JSON for a valid link whose object was deleted meanwhile", async () => {
    const doomed = `links/${randomUUID()}/gone.txt`;
    await store.put(doomed, "soon gone");
    const link = new URL(await store.signedDownloadUrl(doomed, { filename: "gone.txt", expiresInSeconds: 60 }), "http://localhost");
    await store.delete(doomed);
    const response = await downloadRoute(new Request(link));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found:object" } });
  });
});

describe("s3 driver: reachability", () => {
  let server: RunningS3rver;

  beforeAll(async () => {
    server = await startS3rver("syncledger-health");
  });
  afterAll(async () => {
    await server?.stop();
  });

  function storeFor(endpoint: string): S3ObjectStore {
    return new S3ObjectStore({
      bucket: server.bucket,
      region: server.region,
      endpoint,
      credentials: server.credentials,
    });
  }

  it("health() fails for a bucket that does not exist, and ensureBucket() creates it", async () => {
    const store = new S3ObjectStore({
      bucket: `created-${randomUUID().slice(0, 8)}`,
      region: server.region,
      endpoint: server.endpoint,
      credentials: server.credentials,
    });
    await expect(store.health()).rejects.toMatchObject({ code: "unavailable:object_store" });
    await store.ensureBucket();
    await store.ensureBucket();
    await expect(store.health()).resolves.toBeUndefined();
    store.destroy();
  });

  it("health() fails against a port nothing listens on", async () => {
    const store = storeFor("http://127.0.0.1:1");
    await expect(store.health()).rejects.toMatchObject({ code: "unavailable:object_store", status: 503 });
    store.destroy();
  });

  it("health() fails once the server has stopped", { timeout: 30_000 }, async () => {
    const other = await startS3rver("syncledger-stopping");
    const store = new S3ObjectStore({
      bucket: other.bucket,
      region: other.region,
      endpoint: other.endpoint,
      credentials: other.credentials,
    });
    await expect(store.health()).resolves.toBeUndefined();
    await other.stop();
    await expect(store.health()).rejects.toMatchObject({ code: "unavailable:object_store" });
    store.destroy();
  });
});

describe("getObjectStore() configuration", () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
    resetConfigCache();
    resetObjectStore();
  });

  function configure(env: Record<string, string | undefined>) {
    for (const name of ["S3_BUCKET", "S3_ENDPOINT", "S3_REGION", "S3_FORCE_PATH_STYLE", "NEXTAUTH_SECRET", "OBJECT_STORE_DIR"]) {
      delete process.env[name];
    }
    Object.assign(process.env, env);
    resetConfigCache();
    resetObjectStore();
  }

  it("chooses S3 when S3_BUCKET is set, with path-style URLs for a custom endpoint", async () => {
    configure({ S3_BUCKET: "evidence", S3_REGION: "eu-central-1", S3_ENDPOINT: "http://127.0.0.1:9000" });
    const store = getObjectStore();
    expect(store).toBeInstanceOf(S3ObjectStore);
    expect(getObjectStore()).toBe(store);
    const client = (store as S3ObjectStore).client;
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.requestChecksumCalculation()).toBe("WHEN_REQUIRED");
    expect(await client.config.responseChecksumValidation()).toBe("WHEN_REQUIRED");

    configure({ S3_BUCKET: "evidence", S3_REGION: "eu-central-1", S3_ENDPOINT: "http://127.0.0.1:9000", S3_FORCE_PATH_STYLE: "false" });
    expect((getObjectStore() as S3ObjectStore).client.config.forcePathStyle).toBe(false);
  });

  it("chooses the local driver otherwise and refuses to start without NEXTAUTH_SECRET", () => {
    configure({ OBJECT_STORE_DIR: path.join(os.tmpdir(), "syncledger-unused") });
    expect(() => getObjectStore()).toThrow(/NEXTAUTH_SECRET/);
    configure({ OBJECT_STORE_DIR: path.join(os.tmpdir(), "syncledger-unused"), NEXTAUTH_SECRET: TEST_SECRET });
    expect(getObjectStore()).toBeInstanceOf(LocalObjectStore);
    expect((getObjectStore() as LocalObjectStore).root).toBe(path.join(os.tmpdir(), "syncledger-unused"));
  });
});
