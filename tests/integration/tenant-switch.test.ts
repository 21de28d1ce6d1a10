import { describe, expect, it } from "vitest";
import type { JWT } from "next-auth/jwt";
import { actingInTenant, platformContext } from "@/lib/auth/context";
import { endSessions } from "@/lib/auth/login";
import { switchedTenantToken } from "@/lib/auth/tenant-switch";
import { addMemberDirectly } from "@/lib/members/internal";
import { makeTenant } from "../helpers/factories";

const platform = platformContext({ type: "system", name: "system:test" });

async function consultant() {
  const [home, other, foreign] = await Promise.all([makeTenant(), makeTenant(), makeTenant()]);
  await addMemberDirectly(actingInTenant(platform, other.id), { email: home.users.admin.email, role: "viewer" });
  const token: JWT = { userId: home.users.admin.id, tenantId: home.id, role: "admin", sessionVersion: 0 };
  return { home, other, foreign, token };
}

describe("switching tenants through next-auth's session update", () => {
  it("moves the session to another tenant of the user, with the role stored there, whatever role the browser names", async () => {
    const { other, token } = await consultant();
    const next = await switchedTenantToken(token, { tenantId: other.id, role: "admin" });
    expect(next).toMatchObject({ userId: token.userId, tenantId: other.id, role: "viewer" });
  });

  it("leaves the session as it was for a tenant the user does not belong to, a malformed id, or no request", async () => {
    const { foreign, token } = await consultant();
    for (const request of [{ tenantId: foreign.id }, { tenantId: "not-a-uuid" }, undefined, "x"]) {
      expect(await switchedTenantToken(token, request)).toEqual(token);
    }
  });

  it("does not refresh a session that has ended (signed out elsewhere) into a current one", async () => {
    const { other, token } = await consultant();
    await endSessions(token.userId!);
    expect(await switchedTenantToken(token, { tenantId: other.id })).toEqual(token);
  });
});
