import { describe, expect, it } from "vitest";
import { authenticateApiKey, createApiKey, deleteApiKey, listApiKeys, revokeApiKey } from "@/lib/api-keys/service";
import { getSql } from "@/db/client";
import { deactivateTenant } from "@/lib/tenants/service";
import { expectAuditRow, makeTenant, platformAdmin } from "../helpers/factories";

describe("API keys", () => {
  it("show the secret once, store only a hash, authenticate with their scopes, and audit each change", async () => {
    const t = await makeTenant();
    const { apiKey, secret } = await createApiKey(t.ctx("admin"), { name: "Nightly export", scopes: "audit_log:read,audit_log:export" });
    expect(secret).toMatch(/^slk_[A-Za-z0-9_-]{43}$/);
    const [stored] = await getSql()`select secret_hash from api_keys where id = ${apiKey.id}`;
    expect(stored.secret_hash).not.toContain(secret.slice(4));
    expect(JSON.stringify(await listApiKeys(t.ctx("admin")))).not.toContain(secret);
    const created = await expectAuditRow(t.id, "ApiKey", "Create", "Nightly export");
    expect(JSON.stringify(created)).not.toContain(secret);

    const ctx = await authenticateApiKey(secret, { ip: "192.0.2.9" });
    expect(ctx.tenantId).toBe(t.id);
    expect(ctx.actor).toMatchObject({ type: "api_key", name: "Nightly export" });
    expect([...ctx.permissions].sort()).toEqual(["audit_log:export", "audit_log:read"]);
    expect((await listApiKeys(t.ctx("admin")))[0].lastUsedAt).not.toBeNull();

    await revokeApiKey(t.ctx("admin"), { id: apiKey.id });
    await expectAuditRow(t.id, "ApiKey", "Revoke", "Nightly export");
    await expect(authenticateApiKey(secret)).rejects.toMatchObject({
      code: "unauthorized:api_key",
      message: "The API key has been revoked.",
    });

    await deleteApiKey(t.ctx("admin"), { id: apiKey.id });
    await expectAuditRow(t.id, "ApiKey", "Delete", "Nightly export");
    await expect(authenticateApiKey(secret)).rejects.toMatchObject({ code: "unauthorized:api_key" });
  });

  it("refuse expired keys, keys of deactivated tenants, unknown keys and bad input", async () => {
    const t = await makeTenant();
    await expect(createApiKey(t.ctx("admin"), { name: "x", scopes: [] })).rejects.toMatchObject({
      fieldErrors: { name: [expect.any(String)], scopes: ["choose at least one scope"] },
    });
    await expect(createApiKey(t.ctx("admin"), { name: "Old", scopes: ["audit_log:read"], expiresAt: "2001-01-01" })).rejects.toMatchObject({
      fieldErrors: { expiresAt: ["must be in the future"] },
    });
    await expect(createApiKey(t.ctx("admin"), { name: "Sneaky", scopes: ["api_keys:write"] })).rejects.toMatchObject({
      fieldErrors: { "scopes.0": [expect.stringContaining("must be one of")] },
    });
    const { apiKey, secret } = await createApiKey(t.ctx("admin"), { name: "Short lived", scopes: ["audit_log:read"] });
    await getSql()`update api_keys set expires_at = now() - interval '1 second' where id = ${apiKey.id}`;
    await expect(authenticateApiKey(secret)).rejects.toMatchObject({ message: "The API key has been expired." });
    await expect(authenticateApiKey("slk_not-a-real-key")).rejects.toMatchObject({ code: "unauthorized:api_key" });

    const live = await createApiKey(t.ctx("admin"), { name: "Live", scopes: ["audit_log:read"] });
    await deactivateTenant(platformAdmin, { id: t.id });
    await expect(authenticateApiKey(live.secret)).rejects.toMatchObject({ code: "forbidden:tenant_inactive" });
  });

  it("are managed by admins of their own tenant only", async () => {
    const a = await makeTenant();
    const b = await makeTenant();
    for (const role of ["operator", "auditor", "reviewer", "viewer"] as const) {
      await expect(createApiKey(a.ctx(role), { name: "Mine", scopes: ["audit_log:read"] })).rejects.toMatchObject({
        code: "forbidden:api_keys:write",
      });
    }
    const { apiKey } = await createApiKey(b.ctx("admin"), { name: "B's key", scopes: ["audit_log:read"] });
    await expect(revokeApiKey(a.ctx("admin"), { id: apiKey.id })).rejects.toMatchObject({ code: "not_found:api_key" });
    await expect(deleteApiKey(a.ctx("admin"), { id: apiKey.id })).rejects.toMatchObject({ code: "not_found:api_key" });
    expect((await listApiKeys(a.ctx("admin"))).map((k) => k.id)).not.toContain(apiKey.id);
  });
});
