import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { uploads } from "@/db/schema";
import { createIntegration } from "@/lib/integrations/service";
import { getObjectStore } from "@/lib/storage";
import { cleanupOrphanUploads } from "@/lib/uploads/internal";
import { ORPHAN_AFTER_MS, receiveUpload, tenantUploadPrefix } from "@/lib/uploads/service";
import { makeTenant } from "../helpers/factories";

const CSV = "externalId,username,email\nu1,alice,alice@x.test\nu2,bob,bob@x.test\n";

function upload(
  ctx: Parameters<typeof receiveUpload>[0],
  filename: string,
  body: string | Buffer,
  contentLength?: number,
  purpose = "csv",
) {
  const bytes = Buffer.from(body);
  return receiveUpload(ctx, { purpose, filename, contentLength: contentLength ?? bytes.length, body: Readable.from([bytes]) });
}

async function storedKeys(tenantId: string) {
  const keys: string[] = [];
  for await (const o of getObjectStore().list(tenantUploadPrefix(tenantId))) keys.push(o.key);
  return keys;
}

describe("uploads", () => {
  it("stores a CSV file under a generated key in the tenant's prefix, with its SHA-256, and a CSV integration can use it", async () => {
    const t = await makeTenant();
    const result = await upload(t.ctx("operator"), "People Export.csv", CSV);
    expect(result.key.startsWith(`${tenantUploadPrefix(t.id)}csv/`)).toBe(true);
    expect(result.key).not.toContain("People");
    expect(result).toMatchObject({ filename: "People Export.csv", size: CSV.length, contentType: "text/csv" });
    expect(result.sha256).toBe(createHash("sha256").update(CSV).digest("hex"));
    const stored = await getObjectStore().head(result.key);
    expect(stored?.sha256).toBe(result.sha256);

    await createIntegration(t.ctx("operator"), { name: "HR", connector: "csv", config: { files: { accounts: result.key } } });
    const [row] = await getDb().select().from(uploads).where(eq(uploads.id, result.id));
    expect(row.attachedAt).not.toBeNull();
  });

  it("refuses, naming the file, what is not CSV, empty, too large, or longer than declared, and keeps nothing", async () => {
    const t = await makeTenant();
    const ctx = t.ctx("admin");
    await expect(upload(ctx, "accounts.csv", "<!doctype html><html><body>hi</body></html>")).rejects.toMatchObject({
      code: "unprocessable:file_type",
      message: expect.stringMatching(/"accounts\.csv" was refused: .*HTML/),
    });
    await expect(upload(ctx, "accounts.pdf", CSV)).rejects.toMatchObject({ message: expect.stringContaining(".pdf") });
    await expect(upload(ctx, "accounts.csv", "")).rejects.toMatchObject({ code: "unprocessable:empty_file" });
    await expect(upload(ctx, "huge.csv", CSV, 600 * 1024 * 1024)).rejects.toMatchObject({
      code: "unprocessable:file_too_large",
      message: expect.stringContaining("512 MB"),
    });
    await expect(upload(ctx, "accounts.csv", CSV, 10)).rejects.toMatchObject({
      message: expect.stringContaining("longer than its declared size"),
    });
    await expect(upload(ctx, "accounts.csv", CSV, CSV.length + 5)).rejects.toMatchObject({ code: expect.stringMatching(/^unprocessable/) });
    await expect(upload(ctx, "a/b.csv", CSV)).rejects.toMatchObject({ code: "unprocessable:validation" });
    await expect(upload(ctx, "scan.pdf", Buffer.from("%PDF-1.7\n"), 25 * 1024 * 1024 + 1, "evidence")).rejects.toMatchObject({
      code: "unprocessable:file_too_large",
      message: '"scan.pdf" is 25.0 MB; the limit is 25 MB.',
    });
    const pdf = Buffer.from("%PDF-1.7\n%%EOF\n");
    await expect(
      receiveUpload(ctx, {
        purpose: "evidence",
        filename: "sent.pdf",
        contentLength: pdf.length,
        sha256: "0".repeat(64),
        body: Readable.from([pdf]),
      }),
    ).rejects.toMatchObject({
      message: '"sent.pdf" did not arrive intact: its bytes do not match the SHA-256 that was sent. Upload it again.',
    });

    expect(await storedKeys(t.id)).toEqual([]);
    expect(await getDb().select().from(uploads).where(eq(uploads.tenantId, t.id))).toEqual([]);
  });

  it("refuses a PDF whose markup sits past the first 64 KB, split across chunks, and keeps nothing of it", async () => {
    const t = await makeTenant();
    const pdf = Buffer.from("%PDF-1.7\n1 0 obj << >> endobj\n");
    const chunks = [pdf, Buffer.alloc(200 * 1024, "0"), Buffer.from("stream <ifr"), Buffer.from("ame src=x> endstream\n%%EOF\n")];
    const size = chunks.reduce((n, c) => n + c.length, 0);
    await expect(
      receiveUpload(t.ctx("operator"), { purpose: "evidence", filename: "poly.pdf", contentLength: size, body: Readable.from(chunks) }),
    ).rejects.toMatchObject({
      code: "unprocessable:file_type",
      message: '"poly.pdf" was refused: it is a PDF that also carries an HTML frame.',
    });
    expect(await storedKeys(t.id)).toEqual([]);
    expect(await getDb().select().from(uploads).where(eq(uploads.tenantId, t.id))).toEqual([]);
    // The same size without markup is fine.
    const clean = [pdf, Buffer.alloc(200 * 1024, "0"), Buffer.from("%%EOF\n")];
    const ok = await receiveUpload(t.ctx("operator"), { purpose: "evidence", filename: "big.pdf", body: Readable.from(clean) });
    expect(ok.contentType).toBe("application/pdf");
  });

  it("refuses a file name with bidirectional control characters", async () => {
    const t = await makeTenant();
    await expect(upload(t.ctx("operator"), "invoice\u202Efdp.exe.pdf", "%PDF-1.7\n", undefined, "evidence")).rejects.toMatchObject({
      code: "unprocessable:validation",
      message: expect.stringContaining("bidirectional control characters"),
    });
    expect(await storedKeys(t.id)).toEqual([]);
  });

  it("lets only roles that may change integrations upload source files", async () => {
    const t = await makeTenant();
    for (const role of ["viewer", "auditor"] as const) {
      await expect(upload(t.ctx(role), "accounts.csv", CSV)).rejects.toMatchObject({ code: "forbidden:integrations:write" });
    }
    expect(await storedKeys(t.id)).toEqual([]);
  });

  it("removes uploads never attached to anything once they are a day old, and keeps attached ones", async () => {
    const t = await makeTenant();
    const orphan = await upload(t.ctx("operator"), "orphan.csv", CSV);
    const used = await upload(t.ctx("operator"), "used.csv", CSV);
    const fresh = await upload(t.ctx("operator"), "fresh.csv", CSV);
    await createIntegration(t.ctx("operator"), { name: "Uses one", connector: "csv", config: { files: { accounts: used.key } } });

    const dayOld = new Date(Date.now() - ORPHAN_AFTER_MS - 60_000);
    for (const id of [orphan.id, used.id]) await getDb().update(uploads).set({ createdAt: dayOld }).where(eq(uploads.id, id));
    expect(await cleanupOrphanUploads()).toBeGreaterThanOrEqual(1);

    const keys = await storedKeys(t.id);
    expect(keys).not.toContain(orphan.key);
    expect(keys).toEqual(expect.arrayContaining([used.key, fresh.key]));
    const rows = await getDb().select({ id: uploads.id }).from(uploads).where(eq(uploads.tenantId, t.id));
    expect(rows.map((r) => r.id).sort()).toEqual([used.id, fresh.id].sort());
  });
});
