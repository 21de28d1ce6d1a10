/**
 * Security headers and integration logos (issue 10, item 9). The real
 * middleware is called with requests as Next hands them over: every answer,
 * gated or not, carries a nonce-based Content-Security-Policy, and HSTS only
 * when the request came over https (the public URL, or a trusted proxy's
 * X-Forwarded-Proto). Logos are uploaded images, checked by their bytes,
 * stored in the object store and served only within their tenant; a logo URL
 * is refused with what to do instead.
 */
import { Readable } from "node:stream";
import { NextRequest, type NextFetchEvent } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import middleware from "@/middleware";
import { resetConfigCache } from "@/lib/config";
import { PATCH as patchRoute } from "@/app/api/v1/integrations/[id]/route";
import { PUT as putLogoRoute } from "@/app/api/v1/integrations/[id]/logo/route";
import { POST as createRoute } from "@/app/api/v1/integrations/route";
import { createIntegration, getIntegrationLogo, updateIntegration } from "@/lib/integrations/service";
import { receiveUpload } from "@/lib/uploads/service";
import { expectAuditRow, makeApiKeyCtx, makeTenant, type TestTenant } from "../helpers/factories";
import { HTML_AS_PNG, pngImage, SVG_LOGO } from "../helpers/images";

process.env.ENCRYPTION_KEY ??= "ab".repeat(32);
const saved = { ...process.env };
afterEach(() => {
  for (const k of ["TRUSTED_PROXIES", "NEXTAUTH_URL", "S3_BUCKET", "S3_REGION", "S3_ENDPOINT"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  resetConfigCache();
});

async function visit(path: string, headers: Record<string, string> = {}) {
  // The configuration is read once per process; these cases change it between requests.
  resetConfigCache();
  const req = new NextRequest(`http://127.0.0.1:3000${path}`, { headers: { "x-syncledger-peer": "127.0.0.1", ...headers } });
  return middleware(req, {} as NextFetchEvent);
}

function directives(csp: string | null) {
  return Object.fromEntries(
    (csp ?? "")
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
}

describe("security headers from middleware", () => {
  it("puts a fresh nonce-based policy on the sign-in page, next-auth's routes and the sign-in redirect, and hands the same policy to Next", async () => {
    delete process.env.NEXTAUTH_URL;
    const seen = new Set<string>();
    for (const path of ["/login", "/api/auth/error", "/integrations", "/access-denied"]) {
      const res = await visit(path);
      const csp = res.headers.get("content-security-policy");
      const d = directives(csp);
      const nonce = d["script-src"]?.find((v) => v.startsWith("'nonce-"));
      expect(nonce, path).toMatch(/^'nonce-[A-Za-z0-9+/]{22}==' ?$/);
      seen.add(nonce!);
      expect(d["script-src"]).toContain("'strict-dynamic'");
      expect(d["script-src"]).not.toContain("'unsafe-eval'");
      expect(d["script-src"]).not.toContain("'unsafe-inline'");
      expect(d["frame-ancestors"]).toEqual(["'none'"]);
      expect(d["object-src"]).toEqual(["'none'"]);
      expect(d["base-uri"]).toEqual(["'self'"]);
      expect(d["form-action"]).toEqual(["'self'"]);
      expect(d["img-src"]).toEqual(["'self'", "data:"]);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("same-origin");
      expect(res.headers.get("strict-transport-security")).toBeNull();
      if (path === "/integrations") {
        // Signed out: sent to sign in, and the redirect carries the headers too.
        expect(res.status).toBe(307);
        expect(res.headers.get("location")).toContain("/login?callbackUrl=%2Fintegrations");
      } else {
        // Next renders with the policy it is given, and takes the nonce for its scripts from it.
        expect(res.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
      }
    }
    expect(seen.size).toBe(4);
  });

  it("gives API answers and served files a policy under which nothing loads or runs", async () => {
    for (const path of [
      "/api/health",
      "/api/objects",
      "/api/integrations/00000000-0000-4000-8000-000000000000/logo",
      "/api/v1/integrations",
    ]) {
      const res = await visit(path);
      expect(res.headers.get("content-security-policy"), path).toBe("default-src 'none'; frame-ancestors 'none'; sandbox");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  it("sends HSTS only over https: not for a forged X-Forwarded-Proto, yes from a trusted proxy or an https public URL", async () => {
    delete process.env.NEXTAUTH_URL;
    delete process.env.TRUSTED_PROXIES;
    expect((await visit("/login", { "x-forwarded-proto": "https" })).headers.get("strict-transport-security")).toBeNull();

    process.env.TRUSTED_PROXIES = "10.0.0.0/8";
    expect((await visit("/login", { "x-forwarded-proto": "https" })).headers.get("strict-transport-security")).toBeNull();
    const viaProxy = await visit("/login", { "x-syncledger-peer": "10.1.2.3", "x-forwarded-proto": "https" });
    expect(viaProxy.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
    expect(directives(viaProxy.headers.get("content-security-policy"))).toHaveProperty("upgrade-insecure-requests");
    expect(
      (await visit("/api/health", { "x-syncledger-peer": "10.1.2.3", "x-forwarded-proto": "https" })).headers.get(
        "strict-transport-security",
      ),
    ).toBe("max-age=63072000; includeSubDomains");
    expect(
      (await visit("/api/health", { "x-syncledger-peer": "10.1.2.3", "x-forwarded-proto": "http" })).headers.get(
        "strict-transport-security",
      ),
    ).toBeNull();

    delete process.env.TRUSTED_PROXIES;
    process.env.NEXTAUTH_URL = "https://syncledger.example.com";
    expect((await visit("/login")).headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
  });

  it("lets the browser PUT evidence to the configured S3 endpoint, and nowhere else", async () => {
    const local = directives((await visit("/login")).headers.get("content-security-policy"));
    expect(local["connect-src"]).toEqual(["'self'"]);
    Object.assign(process.env, { S3_BUCKET: "evidence", S3_REGION: "eu-west-1", S3_ENDPOINT: "https://minio.internal:9000/" });
    expect(directives((await visit("/login")).headers.get("content-security-policy"))["connect-src"]).toEqual([
      "'self'",
      "https://minio.internal:9000",
    ]);
    delete process.env.S3_ENDPOINT;
    expect(directives((await visit("/login")).headers.get("content-security-policy"))["connect-src"]).toEqual([
      "'self'",
      "https://evidence.s3.eu-west-1.amazonaws.com",
    ]);
  });
});

function uploadLogo(t: TestTenant, filename: string, body: string | Buffer, role: "admin" | "operator" | "viewer" = "admin") {
  const bytes = Buffer.from(body);
  return receiveUpload(t.ctx(role), { purpose: "logo", filename, contentLength: bytes.length, body: Readable.from([bytes]) });
}

async function readAll(stream: Readable) {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

function apiRequest(method: string, secret: string, body: unknown, type = "application/json") {
  const raw = Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return new Request("http://localhost/api/v1/integrations", {
    method,
    headers: { authorization: `Bearer ${secret}`, "content-type": type, "content-length": String(raw.length) },
    body: typeof raw === "string" ? raw : new Uint8Array(raw),
  });
}
const params = (id: string) => ({ params: Promise.resolve({ id }) });

describe("integration logos", () => {
  it("are judged by their bytes: a page renamed .png, an SVG, and an oversized file are refused; a PNG under any name is stored as a PNG", async () => {
    const t = await makeTenant();
    await expect(uploadLogo(t, "logo.png", HTML_AS_PNG)).rejects.toMatchObject({
      code: "unprocessable:file_type",
      message: expect.stringMatching(/"logo\.png" was refused: it is not a PNG, JPEG, WebP or GIF image/),
    });
    for (const name of ["logo.svg", "logo.png"]) {
      await expect(uploadLogo(t, name, SVG_LOGO)).rejects.toMatchObject({ message: expect.stringMatching(/SVG logos are not accepted/) });
    }
    const big = Buffer.concat([pngImage(8), Buffer.alloc(300 * 1024)]);
    await expect(uploadLogo(t, "big.png", big)).rejects.toMatchObject({
      code: "unprocessable:file_too_large",
      message: expect.stringContaining("256 KB"),
    });
    // A PNG with a script tucked in after the image data is two things at once.
    await expect(
      uploadLogo(t, "polyglot.png", Buffer.concat([pngImage(8), Buffer.from("<script>alert(1)</script>")])),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/also carries a script/),
    });
    await expect(uploadLogo(t, "logo.png", pngImage(), "viewer")).rejects.toMatchObject({ code: "forbidden:integrations:write" });

    const png = await uploadLogo(t, "company logo.bin", pngImage());
    expect(png).toMatchObject({ contentType: "image/png", filename: "company logo.bin" });
    expect(png.key).toMatch(/\/logo\/[0-9a-f-]{36}\.png$/);
  });

  it("is set with a save, audited, served only within its tenant, and a logo-only change starts no sync", async () => {
    const t = await makeTenant();
    const other = await makeTenant();
    const first = await uploadLogo(t, "first.png", pngImage(16));
    const scim = { baseUrl: "https://scim.example.com/v2", bearerToken: "t0ken" };
    const { integration } = await createIntegration(t.ctx("admin"), {
      name: "HR CSV",
      connector: "scim",
      config: scim,
      logoUploadId: first.id,
    });
    expect(integration.logoUploadId).toBe(first.id);
    const served = await getIntegrationLogo(t.ctx("viewer"), integration.id);
    expect(served.contentType).toBe("image/png");
    expect((await readAll(served.body)).equals(pngImage(16))).toBe(true);
    await expect(getIntegrationLogo(other.ctx("admin"), integration.id)).rejects.toMatchObject({ code: "not_found:integration" });

    // An upload is used once, and only in its own tenant.
    const foreign = await uploadLogo(other, "theirs.png", pngImage());
    await expect(updateIntegration(t.ctx("admin"), integration.id, { logoUploadId: foreign.id })).rejects.toMatchObject({
      fieldErrors: { logoUploadId: [expect.stringMatching(/upload the image again/)] },
    });
    await expect(updateIntegration(t.ctx("admin"), integration.id, { logoUploadId: first.id })).resolves.toMatchObject({
      notice: expect.stringMatching(/Nothing changed/),
    });

    const second = await uploadLogo(t, "second.png", pngImage(24, [220, 38, 38]));
    const changed = await updateIntegration(t.ctx("operator"), integration.id, { logoUploadId: second.id });
    expect(changed.sync).toBeNull();
    expect(changed.notice).toMatch(/logo was saved; no sync was started/);
    const audit = await expectAuditRow(t.id, "ConnectionProfile", "Update", "HR CSV");
    expect(audit.details).toBe('Changed the logo of "HR CSV"');
    expect(JSON.stringify(audit.changes)).toMatch(/first\.png.*second\.png|second\.png.*first\.png/);

    const removed = await updateIntegration(t.ctx("admin"), integration.id, { logoUploadId: null });
    expect(removed.integration.logoUploadId).toBeNull();
    await expect(getIntegrationLogo(t.ctx("admin"), integration.id)).rejects.toMatchObject({ code: "not_found:logo" });
  });

  it("refuses a logo URL over the API with a 400 that says to upload the image, and takes an uploaded one with PUT", async () => {
    const t = await makeTenant();
    const { secret } = await makeApiKeyCtx(t, ["integrations:write", "integrations:read"]);
    const scim = { baseUrl: "https://scim.example.com/v2", bearerToken: "t0ken" };
    const created = await createRoute(
      apiRequest("POST", secret, { name: "Linked", connector: "scim", config: scim, logoUrl: "https://evil.example/logo.png" }),
      { params: Promise.resolve({}) },
    );
    expect(created.status).toBe(400);
    expect((await created.json()).error).toMatchObject({
      code: "bad_request:logo_url",
      message: expect.stringMatching(/upload the image instead/),
    });

    const { integration } = await createIntegration(t.ctx("admin"), { name: "Directory", connector: "scim", config: scim });
    const patched = await patchRoute(apiRequest("PATCH", secret, { logoUrl: "https://evil.example/logo.png" }), params(integration.id));
    expect(patched.status).toBe(400);
    expect((await patched.json()).error.message).toMatch(/PUT it to \/api\/v1\/integrations\/\{id\}\/logo/);

    const svg = await putLogoRoute(apiRequest("PUT", secret, Buffer.from(SVG_LOGO), "image/svg+xml"), params(integration.id));
    expect(svg.status).toBe(422);
    const put = await putLogoRoute(apiRequest("PUT", secret, pngImage(), "image/png"), params(integration.id));
    expect(put.status).toBe(200);
    const body = await put.json();
    expect(body.data.logoUploadId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await readAll((await getIntegrationLogo(t.ctx("viewer"), integration.id)).body)).equals(pngImage())).toBe(true);
  });
});
