import { describe, expect, it } from "vitest";
import { apiKeyContext, authorize, userContext } from "@/lib/auth/context";
import { API_KEY_SCOPES, areaFor, roleCan } from "@/lib/auth/permissions";
import { ConfigError, databaseSettings, parseConfig } from "@/lib/config";
import { clientIp, parseTrustedProxies, PEER_HEADER, requestMetaFrom } from "@/lib/http/request-meta";

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
    // The database pool reads its settings through the same rules, from the environment of the moment.
    expect(databaseSettings({ DATABASE_URL: "postgres://app@db:5432/x" })).toEqual({
      DATABASE_URL: "postgres://app@db:5432/x",
      DATABASE_POOL_MAX: 10,
    });
    expect(() => databaseSettings({ DATABASE_URL: "mysql://db/x" })).toThrow(ConfigError);
    expect(() => databaseSettings({ DATABASE_POOL_MAX: "0" })).toThrow(/DATABASE_POOL_MAX/);
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
  const none = parseTrustedProxies(undefined);
  const trusted = parseTrustedProxies("10.0.0.0/8, 127.0.0.1");

  it("without trusted proxies is the socket peer, whatever X-Forwarded-For says", () => {
    expect(clientIp("203.0.113.9", "1.2.3.4", none)).toBe("203.0.113.9");
    expect(clientIp("203.0.113.9", "1.2.3.4, 10.0.0.9", none)).toBe("203.0.113.9");
    expect(clientIp("::ffff:203.0.113.9", null, none)).toBe("203.0.113.9");
    expect(clientIp("::1", "6.6.6.6", none)).toBe("::1");
  });

  it("with trusted proxies walks X-Forwarded-For from the right, skipping only them", () => {
    expect(clientIp("10.0.0.9", "6.6.6.6, 1.2.3.4", trusted)).toBe("1.2.3.4");
    expect(clientIp("127.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.9", trusted)).toBe("1.2.3.4");
    expect(clientIp("10.0.0.2", "10.0.0.1", trusted)).toBe("10.0.0.1");
    expect(clientIp("10.0.0.2", null, trusted)).toBe("10.0.0.2");
    // A peer that is not a trusted proxy is the client, even when it sends the header.
    expect(clientIp("198.51.100.7", "1.2.3.4", trusted)).toBe("198.51.100.7");
    // Garbage from a trusted proxy ends the walk at the last address that can be believed.
    expect(clientIp("10.0.0.9", "1.2.3.4, not-an-ip", trusted)).toBe("10.0.0.9");
  });

  it("is unknown without the peer address, rather than taken from a header anyone can write", () => {
    expect(clientIp(null, "1.2.3.4", none)).toBeNull();
    expect(clientIp(null, "1.2.3.4", trusted)).toBeNull();
    expect(clientIp("not-an-ip", "1.2.3.4", none)).toBeNull();
  });

  it("reads the peer from the header the preload sets, not from X-Forwarded-For", () => {
    const meta = requestMetaFrom(new Headers({ [PEER_HEADER]: "192.0.2.44", "x-forwarded-for": "6.6.6.6" }));
    expect(meta.ip).toBe("192.0.2.44");
  });
});

describe("peer-address preload", () => {
  it("overwrites a peer header the client sent with the socket's address", async () => {
    const { markPeer } = await import("../../scripts/peer-address.cjs");
    const req = {
      socket: { remoteAddress: "::ffff:192.0.2.5" },
      headers: { [PEER_HEADER]: "6.6.6.6", "x-forwarded-for": "6.6.6.6" } as Record<string, string>,
      rawHeaders: ["X-SyncLedger-Peer", "6.6.6.6", "X-Forwarded-For", "6.6.6.6"],
    };
    markPeer(req);
    expect(req.headers[PEER_HEADER]).toBe("192.0.2.5");
    expect(req.rawHeaders).toEqual(["X-Forwarded-For", "6.6.6.6", PEER_HEADER, "192.0.2.5"]);
  });
});
