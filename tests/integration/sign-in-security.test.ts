import { describe, expect, it } from "vitest";
import { getSql } from "@/db/client";
import { endSessions, isSessionCurrent, verifyCredentials } from "@/lib/auth/login";
import { changeMemberRole, listMembers, removeMember } from "@/lib/members/service";
import { makeTenant, TEST_PASSWORD } from "../helpers/factories";

/** Moves an account's (or an address's) recorded attempts into the past, as if time had passed. */
async function passTime(seconds: number, where: { email?: string; ip?: string }) {
  const sql = getSql();
  await sql`update login_attempts set attempted_at = attempted_at - make_interval(secs => ${seconds})
            where lower(email) = ${where.email ?? ""} or ip = ${where.ip ?? null}`;
}

const TOO_MANY = /^Too many attempts; try again in \d+ seconds?\.$/;

describe("sign-in throttle", () => {
  it("a stranger's wrong passwords from one address do not keep the owner out on another", async () => {
    const t = await makeTenant();
    const email = t.users.operator.email;
    for (let i = 0; i < 6; i++) {
      await expect(verifyCredentials(email, "guess", "203.0.113.66")).rejects.toMatchObject({ code: "unauthorized:credentials" });
      await passTime(60, { email });
    }
    // The stranger is slowed down...
    await expect(verifyCredentials(email, "guess", "203.0.113.66")).rejects.toMatchObject({ code: "unauthorized:credentials" });
    await expect(verifyCredentials(email, "guess", "203.0.113.66")).rejects.toMatchObject({
      code: "rate_limited:sign_in",
      message: expect.stringMatching(TOO_MANY),
    });
    // ...the owner, elsewhere, is not.
    const owner = await verifyCredentials(email, TEST_PASSWORD, "198.51.100.77");
    expect(owner).toMatchObject({ email, tenantId: t.id, role: "operator" });
  });

  it("slows repeated failures with growing delays, says how long, and lets the right password through after the wait", async () => {
    const t = await makeTenant();
    const email = t.users.viewer.email;
    const ip = "203.0.113.67";
    for (let i = 0; i < 3; i++) {
      await expect(verifyCredentials(email, "wrong", ip)).rejects.toMatchObject({ code: "unauthorized:credentials" });
    }
    await expect(verifyCredentials(email, TEST_PASSWORD, ip)).rejects.toThrow("Too many attempts; try again in 1 second.");
    await passTime(2, { email });
    await expect(verifyCredentials(email, "wrong", ip)).rejects.toMatchObject({ code: "unauthorized:credentials" });
    await expect(verifyCredentials(email, TEST_PASSWORD, ip)).rejects.toThrow("Too many attempts; try again in 2 seconds.");
    await passTime(3, { email });
    await expect(verifyCredentials(email, "wrong", ip)).rejects.toMatchObject({ code: "unauthorized:credentials" });
    await passTime(5, { email });
    await expect(verifyCredentials(email, "wrong", ip)).rejects.toMatchObject({ code: "unauthorized:credentials" });
    // Six failures: an eight-second wait, which a refused attempt does not extend.
    await expect(verifyCredentials(email, TEST_PASSWORD, ip)).rejects.toThrow("Too many attempts; try again in 8 seconds.");
    await expect(verifyCredentials(email, TEST_PASSWORD, ip)).rejects.toThrow("Too many attempts; try again in 8 seconds.");
    await passTime(9, { email });
    expect(await verifyCredentials(email, TEST_PASSWORD, ip)).toMatchObject({ email, role: "viewer" });
    // A success starts the count again.
    await expect(verifyCredentials(email, "wrong", ip)).rejects.toMatchObject({ code: "unauthorized:credentials" });
    expect(await verifyCredentials(email, TEST_PASSWORD, ip)).toMatchObject({ email });
  });

  it("slows one address guessing across many accounts, but not other addresses", async () => {
    const t = await makeTenant();
    const ip = "203.0.113.68";
    for (let i = 0; i < 20; i++) {
      await expect(verifyCredentials(`sprayed-${i}@nowhere.test`, "Winter2026!", ip)).rejects.toMatchObject({
        code: "unauthorized:credentials",
      });
    }
    await expect(verifyCredentials(t.users.admin.email, TEST_PASSWORD, ip)).rejects.toMatchObject({
      code: "rate_limited:sign_in",
      message: expect.stringMatching(TOO_MANY),
    });
    expect(await verifyCredentials(t.users.admin.email, TEST_PASSWORD, "198.51.100.78")).toMatchObject({ role: "admin" });
  });
});

describe("session version", () => {
  it("sign-out ends every session the user holds; signing in again starts a good one", async () => {
    const t = await makeTenant();
    const first = await verifyCredentials(t.users.auditor.email, TEST_PASSWORD, "198.51.100.80");
    const other = await verifyCredentials(t.users.viewer.email, TEST_PASSWORD, "198.51.100.80");
    expect(await isSessionCurrent(first.id, first.sessionVersion)).toBe(true);
    await endSessions(first.id);
    expect(await isSessionCurrent(first.id, first.sessionVersion)).toBe(false);
    expect(await isSessionCurrent(other.id, other.sessionVersion)).toBe(true);
    const again = await verifyCredentials(t.users.auditor.email, TEST_PASSWORD, "198.51.100.80");
    expect(await isSessionCurrent(again.id, again.sessionVersion)).toBe(true);
  });

  it("a role change and a removal end the member's sessions, not the admin's", async () => {
    const t = await makeTenant();
    const admin = await verifyCredentials(t.users.admin.email, TEST_PASSWORD, "198.51.100.81");
    const before = await verifyCredentials(t.users.operator.email, TEST_PASSWORD, "198.51.100.81");
    const member = (await listMembers(t.ctx("admin"))).find((m) => m.email === t.users.operator.email)!;

    await changeMemberRole(t.ctx("admin"), { membershipId: member.id, role: "viewer" });
    expect(await isSessionCurrent(before.id, before.sessionVersion)).toBe(false);
    const after = await verifyCredentials(t.users.operator.email, TEST_PASSWORD, "198.51.100.81");
    expect(after.role).toBe("viewer");
    expect(await isSessionCurrent(after.id, after.sessionVersion)).toBe(true);

    await removeMember(t.ctx("admin"), { membershipId: member.id });
    expect(await isSessionCurrent(after.id, after.sessionVersion)).toBe(false);
    expect(await isSessionCurrent(admin.id, admin.sessionVersion)).toBe(true);
  });
});
