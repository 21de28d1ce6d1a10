import { describe, expect, it } from "vitest";
import { apiKeyContext, authorize, userContext } from "@/lib/auth/context";
import { API_KEY_SCOPES, areaFor, roleCan } from "@/lib/auth/permissions";
import { ConfigError, parseConfig } from "@/lib/config";
import { clientIp, parseTrustedProxies } from "@/lib/http/request-meta";

describe("permissions", () => {
  it("follow the product's role table", () => {
    expect(roleCan("admin", "api_keys:write")).toBe(true);
    expect(roleCan("operator", "integrations:write")).toBe(true);
    expect(roleCan("operator", "api_keys:read")).toBe(false);
    expect(roleCan("operator", "members:write")).toBe(false);
    expect(roleCan("auditor", "audit_log:read")).toBe(true);
    expect(roleCan("auditor", "integrations:write")).toBe(false);
    expect(roleCan("viewer", "audit_log:read")).toBe(false);
    expect(roleCan("viewer", "evidence:read")).toBe(false);
    expect(roleCan("viewer", "syncs:read")).toBe(true);
    expect(roleCan("reviewer", "campaigns:read")).toBe(true);
    expect(roleCan("reviewer", "integrations:read")).toBe(false);
  });

  it("keep API keys away from key and member management", () => {
    expect(API_KEY_SCOPES).not.toContain("api_keys:write");
    expect(API_KEY_SCOPES).not.toContain("members:write");
    const ctx = apiKeyContext({ tenantId: "t", key: { id: "k", name: "k", scopes: ["audit_log:read", "bogus"] } });
    expect([...ctx.permissions]).toEqual(["audit_log:read"]);
    expect(() => authorize(ctx, "audit_log:export")).toThrow(/lacks the scope "audit_log:export"/);
  });

  it("map areas to permissions for the middleware gate", () => {
    expect(areaFor("/admin/audit-log")?.permission).toBe("audit_log:read");
    expect(areaFor("/admin/audit-log/123")?.permission).toBe("audit_log:read");
    expect(areaFor("/admin/audit-logger")).toBeUndefined();
    const viewer = userContext({ tenantId: "t", role: "viewer", user: { id: "u", email: "v@x" } });
    expect(() => authorize(viewer, "audit_log:read")).toThrow(/role does not have/);
  });
});

describe("configuration", () => {
  it("names the variable that is wrong", () => {
    expect(() => parseConfig({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    expect(() => parseConfig({ S3_BUCKET: "b" })).toThrow(/S3_REGION: is required when S3_BUCKET is set/);
    expect(() => parseConfig({ ENCRYPTION_KEY: "short" })).toThrow(/ENCRYPTION_KEY: must be 64 hex characters/);
    expect(() => parseConfig({ OIDC_ISSUER: "https://id.example" })).toThrow(/OIDC_CLIENT_ID/);
    expect(() => parseConfig({ EMBEDDED_PG_PORT: "80" })).toThrow(ConfigError);
  });

  it("accepts the empty environment (embedded defaults)", () => {
    const c = parseConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.EMBEDDED_PG_PORT).toBe(54329);
    expect(c.DATA_DIR).toBe(".data");
  });
});

describe("client IP", () => {
  it("takes the right-most untrusted hop so a client cannot forge its address", () => {
    const none = parseTrustedProxies(undefined);
    expect(clientIp("1.2.3.4, 10.0.0.9", none)).toBe("10.0.0.9");
    const trusted = parseTrustedProxies("10.0.0.0/8, 127.0.0.1");
    expect(clientIp("6.6.6.6, 1.2.3.4, 10.0.0.9", trusted)).toBe("1.2.3.4");
    expect(clientIp("1.2.3.4, 10.0.0.9, 127.0.0.1", trusted)).toBe("1.2.3.4");
    expect(clientIp("10.0.0.1, 10.0.0.2", trusted)).toBe("10.0.0.1");
    expect(clientIp(null, trusted)).toBeNull();
  });
});
