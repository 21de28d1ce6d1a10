/**
 * Local filesystem object store, for development and single-node installs.
 *
 * Layout under the root directory: each key segment before the last is a
 * directory; the object itself is two files named after the last segment —
 * `<name>~meta.json` (size, sha256, content type, metadata, and which blob
 * holds the bytes) and `<name>~<uuid>.blob`. Keys cannot contain "~", so these
 * names never collide with a directory made from another key ("a" and "a/b"
 * can both exist). Uploads stream into `~tmp/`, are verified, renamed next to
 * their sidecar, and become visible with one atomic rename of the sidecar:
 * readers see the old object or the new one, never a mix.
 *
 * Downloads go through signed links served by app/api/objects/route.ts.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readFile, readdir, rename, rm, rmdir, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "@/lib/errors";
import type { ListedObject, ObjectBody, ObjectStore, PutOptions, SignedDownloadOptions, StoredObject, TemporarySweep } from "./types";
import { MAX_LINK_TTL_SECONDS, assertValidKey, assertValidPrefix, assertValidTtl, normalizePutOptions } from "./keys";
import { safeContentType } from "./content-disposition";
import { HashingStream, toNodeReadable } from "./streams";
import { notFound, unavailable } from "./errors";

export interface LocalObjectStoreOptions {
  /** Directory that holds the objects; created on first write. */
  root: string;
  /** HMAC key for download links (at least 32 bytes). */
  signingSecret: string | Uint8Array;
  /** Path of the route that serves signed links. */
  routePath?: string;
  /** When set, links are absolute (e.g. "https://app.example.com"); otherwise relative. */
  baseUrl?: string;
}

interface Sidecar {
  v: 1;
  key: string;
  size: number;
  sha256: string;
  blob: string;
  contentType?: string;
  metadata?: Record<string, string>;
  storedAt: string;
}

const SIDECAR_SUFFIX = "~meta.json";
const TMP_DIR = "~tmp";

export class LocalObjectStore implements ObjectStore {
  readonly kind = "local" as const;
  readonly root: string;
  private readonly secret: string | Uint8Array;
  private readonly routePath: string;
  private readonly baseUrl: string | undefined;

  constructor(options: LocalObjectStoreOptions) {
    if (Buffer.byteLength(options.signingSecret) < 32) {
      throw new Error("LocalObjectStore: signingSecret must be at least 32 bytes");
    }
    this.root = path.resolve(options.root);
    this.secret = options.signingSecret;
    this.routePath = options.routePath ?? "/api/objects";
    this.baseUrl = options.baseUrl?.replace(/\/+$/, "");
  }

  async put(key: string, body: ObjectBody, opts?: PutOptions): Promise<StoredObject> {
    assertValidKey(key);
    const options = normalizePutOptions(opts);
    const tmpDir = path.join(this.root, TMP_DIR);
    await mkdir(tmpDir, { recursive: true });

    const tmpPath = path.join(tmpDir, randomUUID());
    const source = toNodeReadable(body);
    let sourceError: unknown;
    source.once("error", (error) => (sourceError = error));
    const hasher = new HashingStream({ contentLength: options.contentLength, sha256: options.expectedSha256 });
    // flush: fsync before close — the object is evidence, its bytes must be on
    // disk before the rename below makes it visible.
    const file = createWriteStream(tmpPath, { flags: "wx", mode: 0o600, flush: true });
    try {
      await pipeline(source, hasher, file);
    } catch (error) {
      // A failure can come before the file is even open: wait until the stream
      // has closed (and so has created the file, if it was going to) before removing it.
      if (!file.closed) await new Promise<void>((resolve) => file.once("close", () => resolve()));
      await rm(tmpPath, { force: true });
      throw hasher.meter.error ?? sourceError ?? unavailable("Writing to the local object store failed", error);
    }

    const { size, sha256 } = hasher.meter.digest;
    const { dir, name } = this.locate(key);
    const blob = `${name}~${randomUUID()}.blob`;
    const sidecar: Sidecar = {
      v: 1,
      key,
      size,
      sha256,
      blob,
      contentType: options.contentType,
      metadata: options.metadata,
      storedAt: new Date().toISOString(),
    };
    const sidecarTmp = `${tmpPath}.json`;
    try {
      await writeFile(sidecarTmp, JSON.stringify(sidecar), { mode: 0o600 });
      const previous = await this.readSidecar(key);
      await this.renameInto(tmpPath, dir, blob);
      // The commit point: one atomic rename replaces the previous sidecar.
      await this.renameInto(sidecarTmp, dir, name + SIDECAR_SUFFIX);
      if (previous && previous.blob !== blob) {
        await rm(path.join(dir, previous.blob), { force: true });
      }
    } catch (error) {
      await rm(tmpPath, { force: true });
      await rm(sidecarTmp, { force: true });
      throw error;
    }
    return toStored(sidecar);
  }

  async head(key: string): Promise<StoredObject | null> {
    assertValidKey(key);
    const sidecar = await this.readSidecar(key);
    return sidecar ? toStored(sidecar) : null;
  }

  async get(key: string): Promise<Readable> {
    return (await this.open(key)).stream;
  }

  /**
   * Opens the object for reading and returns its description from the same
   * sidecar read, so size and bytes always belong together (the download route
   * needs both for Content-Length).
   */
  async open(key: string): Promise<{ object: StoredObject; stream: Readable }> {
    assertValidKey(key);
    // A concurrent overwrite may remove the blob between reading the sidecar and
    // opening it; the second attempt then sees the new sidecar.
    for (let attempt = 0; attempt < 2; attempt++) {
      const sidecar = await this.readSidecar(key);
      if (!sidecar) break;
      try {
        const handle = await open(path.join(this.locate(key).dir, sidecar.blob), "r");
        return { object: toStored(sidecar), stream: handle.createReadStream() };
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    throw notFound(key);
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    const sidecar = await this.readSidecar(key);
    if (!sidecar) return;
    const { dir, name } = this.locate(key);
    await unlink(path.join(dir, name + SIDECAR_SUFFIX)).catch(ignoreMissing);
    await unlink(path.join(dir, sidecar.blob)).catch(ignoreMissing);
    await this.pruneEmptyDirs(dir);
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    assertValidPrefix(prefix);
    const slash = prefix.lastIndexOf("/");
    const dirPrefix = prefix.slice(0, slash + 1);
    const startDir = path.join(this.root, ...dirPrefix.split("/").filter(Boolean));
    yield* this.walk(startDir, dirPrefix, prefix);
  }

  async signedDownloadUrl(key: string, opts: SignedDownloadOptions): Promise<string> {
    assertValidKey(key);
    assertValidTtl(opts.expiresInSeconds);
    if (!(await this.readSidecar(key))) throw notFound(key);
    const link: LocalDownloadLink = {
      key,
      filename: opts.filename,
      contentType: safeContentType(opts.contentType),
      expiresAt: Math.floor(Date.now() / 1000) + opts.expiresInSeconds,
    };
    const params = new URLSearchParams({ key, exp: String(link.expiresAt), name: link.filename });
    if (link.contentType) params.set("type", link.contentType);
    params.set("sig", signLink(link, this.secret));
    return `${this.baseUrl ?? ""}${this.routePath}?${params.toString()}`;
  }

  async sweepTemporary(olderThanMs: number): Promise<TemporarySweep> {
    const dir = path.join(this.root, TMP_DIR);
    const cutoff = Date.now() - olderThanMs;
    const removed: string[] = [];
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (isMissing(error)) return { removed };
      throw error;
    }
    for (const name of names) {
      // The modification time, not the creation time: an upload still streaming touches its file with every chunk.
      const info = await stat(path.join(dir, name)).catch(() => null);
      if (!info?.isFile() || info.mtimeMs >= cutoff) continue;
      await rm(path.join(dir, name), { force: true });
      removed.push(`${TMP_DIR}/${name}`);
    }
    return { removed };
  }

  async health(): Promise<void> {
    // Proves the directory exists (or can be created) and is writable.
    const probe = path.join(this.root, TMP_DIR, `health-${randomUUID()}`);
    try {
      await mkdir(path.dirname(probe), { recursive: true });
      await writeFile(probe, "");
      await rm(probe, { force: true });
    } catch (error) {
      throw unavailable("The local object store directory is not writable", error);
    }
  }

  // -------------------------------------------------------------------------

  private locate(key: string): { dir: string; name: string } {
    const segments = key.split("/");
    const name = segments.pop() as string;
    return { dir: path.join(this.root, ...segments), name };
  }

  private async readSidecar(key: string): Promise<Sidecar | null> {
    const { dir, name } = this.locate(key);
    try {
      return JSON.parse(await readFile(path.join(dir, name + SIDECAR_SUFFIX), "utf8")) as Sidecar;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /** rename() into `dir`, recreating it if a concurrent delete pruned it meanwhile. */
  private async renameInto(from: string, dir: string, name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await mkdir(dir, { recursive: true });
      try {
        await rename(from, path.join(dir, name));
        return;
      } catch (error) {
        if (!isMissing(error) || attempt >= 2) throw error;
      }
    }
  }

  /** Removes directories left empty by a delete; a non-empty one stops the climb. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    let current = dir;
    while (current.startsWith(this.root + path.sep)) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
      current = path.dirname(current);
    }
  }

  /**
   * Depth-first walk in key order. Sorting a file as "name" and a directory as
   * "name/" gives the same order as sorting the full keys.
   */
  private async *walk(dir: string, keyPrefix: string, wanted: string): AsyncGenerator<ListedObject> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    const items: { sortKey: string; name: string; isDir: boolean }[] = [];
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.includes("~")) {
        items.push({ sortKey: `${keyPrefix}${entry.name}/`, name: entry.name, isDir: true });
      } else if (entry.isFile() && entry.name.endsWith(SIDECAR_SUFFIX)) {
        const name = entry.name.slice(0, -SIDECAR_SUFFIX.length);
        items.push({ sortKey: keyPrefix + name, name, isDir: false });
      }
    }
    items.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    for (const item of items) {
      if (item.isDir) {
        // Descend when the whole subtree matches, or when the prefix continues inside it.
        if (!item.sortKey.startsWith(wanted) && !wanted.startsWith(item.sortKey)) continue;
        yield* this.walk(path.join(dir, item.name), item.sortKey, wanted);
      } else {
        if (!item.sortKey.startsWith(wanted)) continue;
        const sidecar = await this.readSidecar(item.sortKey);
        if (sidecar) yield { key: sidecar.key, size: sidecar.size };
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Signed links
// ---------------------------------------------------------------------------

export interface LocalDownloadLink {
  key: string;
  filename: string;
  contentType?: string;
  /** Unix seconds. */
  expiresAt: number;
}

function signLink(link: LocalDownloadLink, secret: string | Uint8Array): string {
  // Length-unambiguous: every field is on its own line and none may contain "\n"
  // (keys by syntax, the rest because the verifier refuses it).
  const payload = ["v1", link.key, String(link.expiresAt), link.filename, link.contentType ?? ""].join("\n");
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

/**
 * Checks a local download link's signature and expiry. Returns what the link
 * grants; throws AppError("forbidden:object_link") for a tampered, malformed or
 * expired link (one answer for all, so a prober learns nothing).
 */
export function verifyLocalDownload(
  params: URLSearchParams | Record<string, string | undefined>,
  secret: string | Uint8Array,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): LocalDownloadLink {
  const get = (name: string): string | undefined => (params instanceof URLSearchParams ? (params.get(name) ?? undefined) : params[name]);
  const key = get("key");
  const exp = get("exp");
  const filename = get("name");
  const contentType = get("type") || undefined;
  const sig = get("sig");
  const refused = new AppError("forbidden:object_link", "This download link is invalid or has expired");

  if (!key || !exp || !filename || !sig || !/^\d{1,12}$/.test(exp)) throw refused;
  if ([key, filename, contentType ?? ""].some((v) => v.includes("\n"))) throw refused;
  const link: LocalDownloadLink = { key, filename, contentType, expiresAt: Number(exp) };

  const expected = Buffer.from(signLink(link, secret));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused;
  // A link from the future beyond the maximum lifetime means the clock or the secret is wrong.
  if (link.expiresAt < nowSeconds || link.expiresAt > nowSeconds + MAX_LINK_TTL_SECONDS + 60) throw refused;
  try {
    assertValidKey(key);
  } catch {
    throw refused;
  }
  return link;
}

// ---------------------------------------------------------------------------

function toStored(sidecar: Sidecar): StoredObject {
  return {
    key: sidecar.key,
    size: sidecar.size,
    sha256: sidecar.sha256,
    ...(sidecar.contentType ? { contentType: sidecar.contentType } : {}),
    ...(sidecar.metadata ? { metadata: sidecar.metadata } : {}),
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function ignoreMissing(error: unknown): void {
  if (!isMissing(error)) throw error;
}
