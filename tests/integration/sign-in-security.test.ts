import { describe, expect, it } from "vitest";
import { getSql } from "@/db/client";
import { verifyCredentials } from "@/lib/auth/login";
import { makeTenant, TEST_PASSWORD } from "../helpers/factories";

/** Moves an account's (or an address's) recorded attempts into the past, as if time had passed. */
async function passTime(seconds: number, where: { email?: string; ip?: string }) {
  const sql = getSql();
  await sql`update login_attempts set attempted_at = attempted_at - make_interval(secs => ${seconds})
            where lower(email) = ${where.email ?? ""} or ip = ${where.ip ?? ""}`;
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
    const ip = "203.0.113.68";
    for (let i = 0; i < 20; i++) {
      await expect(verifyCredentials(`sprayed-${i}@nowhere.test`, "Winter2026!", ip)).rejects.toMatchObject({
        code: "unauthorized:credentials",
      });
    }
    const t = await makeTenant();
    await expect(verifyCredentials(t.users.admin.email, TEST_PASSWORD, ip)).rejects.toMatchObject({
      code: "rate_limited:sign_in",
      message: expect.stringMatching(TOO_MANY),
    });
    expect(await verifyCredentials(t.users.admin.email, TEST_PASSWORD, "198.51.100.78")).toMatchObject({ role: "admin" });
  });
});
