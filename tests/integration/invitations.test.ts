import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getDb, getSql } from "@/db/client";
import { getMembership, getUserByEmail, listUserTenants } from "@/db/queries/members";
import { chooseTenant, verifyCredentials } from "@/lib/auth/login";
import { acceptInvitation, createAccountFromInvitation, describeInvitation } from "@/lib/members/invitations";
import { inviteMember, listInvitations, listMembers, removeMember, revokeInvitation } from "@/lib/members/service";
import { auditRows, expectAuditRow, expireInvitation, makeTenant, TEST_PASSWORD, tokenOf } from "../helpers/factories";

const NEW_PASSWORD = "a long new password";
const fresh = (slug: string) => `new-${randomBytes(4).toString("hex")}@${slug}.test`;

/** An answer with its per-call values (ids, dates, the link's token, the address) blanked out. */
function shapeOf(value: unknown, email: string): unknown {
  if (value instanceof Date) return "<date>";
  if (Array.isArray(value)) return value.map((v) => shapeOf(v, email));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "id" ? "<id>" : shapeOf(v, email)]));
  }
  if (typeof value === "string") return value.replace(email, "<email>").replace(/\/invite\/[A-Za-z0-9_-]{43}$/, "/invite/<token>");
  return value;
}

describe("inviting", () => {
  it("answers the same for an address with an account elsewhere and for an unknown one, and adds neither", async () => {
    const a = await makeTenant();
    const b = await makeTenant();
    const existing = b.users.auditor.email;
    const unknown = fresh(b.slug);

    const forExisting = await inviteMember(a.ctx("admin"), { email: existing, role: "operator" });
    const forUnknown = await inviteMember(a.ctx("admin"), { email: unknown, role: "operator" });
    expect(shapeOf(forExisting, existing)).toEqual(shapeOf(forUnknown, unknown));
    expect(forExisting.invitation.status).toBe("pending");

    // The existing user is not moved, and no account is made for the unknown address.
    expect(await getMembership(getDb(), a.id, b.users.auditor.id)).toBeNull();
    expect((await listUserTenants(getDb(), b.users.auditor.id)).map((t) => t.id)).toEqual([b.id]);
    expect(await getUserByEmail(getDb(), unknown)).toBeNull();
    expect((await listMembers(a.ctx("admin"))).map((m) => m.email)).not.toContain(existing);

    // The audit trail reads the same for both, and holds no token.
    const created = await auditRows(a.id, "Invitation", "Create");
    expect(created.map((r) => r.details).sort()).toEqual([`Invited ${existing} as operator`, `Invited ${unknown} as operator`].sort());
    const stored = JSON.stringify([created, await getSql()`select * from invitations where tenant_id = ${a.id}`]);
    for (const link of [forExisting.link, forUnknown.link]) expect(stored).not.toContain(tokenOf(link));
  });

  it("stores only the SHA-256 of the link's token, which is 32 random bytes", async () => {
    const t = await makeTenant();
    const { invitation, link } = await inviteMember(t.ctx("admin"), { email: fresh(t.slug), role: "viewer" });
    const token = tokenOf(link);
    expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    const [row] = await getSql()`select token_hash from invitations where id = ${invitation.id}`;
    expect(row.token_hash).toBe((await import("node:crypto")).createHash("sha256").update(token).digest("hex"));
  });

  it("is for admins only; an existing member is refused", async () => {
    const t = await makeTenant();
    await expect(inviteMember(t.ctx("operator"), { email: fresh(t.slug), role: "viewer" })).rejects.toMatchObject({
      code: "forbidden:members:write",
    });
    await expect(listInvitations(t.ctx("viewer"))).rejects.toMatchObject({ code: "forbidden:members:read" });
    await expect(inviteMember(t.ctx("admin"), { email: t.users.viewer.email.toUpperCase(), role: "admin" })).rejects.toMatchObject({
      code: "conflict:member",
    });
    await expect(inviteMember(t.ctx("admin"), { email: "not an address", role: "overlord" })).rejects.toMatchObject({
      fieldErrors: { email: [expect.any(String)], role: [expect.any(String)] },
    });
  });

  it("again for the same address replaces the pending invitation: the old link stops working", async () => {
    const t = await makeTenant();
    const email = fresh(t.slug);
    const first = await inviteMember(t.ctx("admin"), { email, role: "viewer" });
    const second = await inviteMember(t.ctx("admin"), { email: email.toUpperCase(), role: "auditor" });
    const pending = await listInvitations(t.ctx("admin"));
    expect(pending.map((i) => [i.email, i.role])).toEqual([[email, "auditor"]]);
    await expectAuditRow(t.id, "Invitation", "Revoke", email);

    await expect(
      createAccountFromInvitation({ token: tokenOf(first.link), password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
    ).rejects.toMatchObject({
      code: "conflict:invitation_revoked",
    });
    const joined = await createAccountFromInvitation({
      token: tokenOf(second.link),
      password: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(joined).toMatchObject({ tenantId: t.id, role: "auditor" });
  });
});

describe("accepting as an existing user", () => {
  it("makes them a member only when they accept, with the invited role, audited as theirs", async () => {
    const a = await makeTenant();
    const b = await makeTenant();
    const invitee = b.users.reviewer;
    const { link } = await inviteMember(a.ctx("admin"), { email: invitee.email, role: "operator" });
    const token = tokenOf(link);

    const offer = await describeInvitation(token);
    expect(offer).toMatchObject({
      state: "pending",
      tenantName: `Tenant ${a.slug}`,
      role: "operator",
      email: invitee.email,
      hasAccount: true,
    });
    expect(await getMembership(getDb(), a.id, invitee.id)).toBeNull();

    const joined = await acceptInvitation(invitee, { token }, { ip: "198.51.100.9", userAgent: "vitest" });
    expect(joined).toMatchObject({ tenantId: a.id, role: "operator" });
    expect((await getMembership(getDb(), a.id, invitee.id))?.role).toBe("operator");
    expect(await listInvitations(a.ctx("admin"))).toEqual([]);

    const accepted = await expectAuditRow(a.id, "Invitation", "Accept", invitee.email);
    expect(accepted).toMatchObject({ actorType: "user", actorId: invitee.id, actorName: invitee.email, ip: "198.51.100.9" });
    expect(accepted.details).toContain("joined as operator");
  });

  it("refuses a signed-in user with another address, who stays out, and leaves the invitation pending", async () => {
    const a = await makeTenant();
    const b = await makeTenant();
    const { link } = await inviteMember(a.ctx("admin"), { email: b.users.viewer.email, role: "admin" });
    await expect(acceptInvitation(b.users.operator, { token: tokenOf(link) })).rejects.toMatchObject({
      code: "forbidden:invitation_email",
      message: expect.stringContaining(`This invitation is for ${b.users.viewer.email}`),
    });
    expect(await getMembership(getDb(), a.id, b.users.operator.id)).toBeNull();
    expect((await listInvitations(a.ctx("admin"))).map((i) => i.status)).toEqual(["pending"]);
    // Nor can a new account be made for an address that has one: the link never sets a password.
    await expect(
      createAccountFromInvitation({ token: tokenOf(link), password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
    ).rejects.toMatchObject({ code: "conflict:account_exists" });
    await expect(verifyCredentials(b.users.viewer.email, NEW_PASSWORD, "198.51.100.10")).rejects.toMatchObject({
      code: "unauthorized:credentials",
    });
  });

  it("works once", async () => {
    const a = await makeTenant();
    const b = await makeTenant();
    const { link } = await inviteMember(a.ctx("admin"), { email: b.users.viewer.email, role: "viewer" });
    await acceptInvitation(b.users.viewer, { token: tokenOf(link) });
    // Removed afterwards, the old link does not bring them back.
    const membership = await getMembership(getDb(), a.id, b.users.viewer.id);
    await removeMember(a.ctx("admin"), { membershipId: membership!.id });
    await expect(acceptInvitation(b.users.viewer, { token: tokenOf(link) })).rejects.toMatchObject({
      code: "conflict:invitation_used",
      message: expect.stringContaining("already been used"),
    });
    expect(await getMembership(getDb(), a.id, b.users.viewer.id)).toBeNull();
    expect(await describeInvitation(tokenOf(link))).toEqual({ state: "accepted", tenantName: `Tenant ${a.slug}` });
  });
});

describe("accepting with a new account", () => {
  it("creates the account and the membership together; the person signs in and lands in that tenant", async () => {
    const t = await makeTenant();
    const email = fresh(t.slug);
    const { link } = await inviteMember(t.ctx("admin"), { email, role: "reviewer" });
    const token = tokenOf(link);
    expect(await describeInvitation(token)).toMatchObject({ state: "pending", hasAccount: false });

    await expect(createAccountFromInvitation({ token, password: "short", confirmPassword: "short" })).rejects.toMatchObject({
      fieldErrors: { password: ["must be at least 12 characters"] },
    });
    await expect(createAccountFromInvitation({ token, password: NEW_PASSWORD, confirmPassword: "something else" })).rejects.toMatchObject({
      fieldErrors: { confirmPassword: ["does not match the password"] },
    });
    expect(await getUserByEmail(getDb(), email)).toBeNull();

    await createAccountFromInvitation(
      { token, name: "New Person", password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
      { ip: "198.51.100.11" },
    );
    const session = await verifyCredentials(email, NEW_PASSWORD, "198.51.100.11");
    expect(session).toMatchObject({ email, name: "New Person", tenantId: t.id, role: "reviewer" });
    const accepted = await expectAuditRow(t.id, "Invitation", "Accept", email);
    expect(accepted.details).toContain("with a new account");

    await expect(createAccountFromInvitation({ token, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).rejects.toMatchObject({
      code: "conflict:invitation_used",
    });
  });

  it("refuses an expired link with a clear message and makes no account", async () => {
    const t = await makeTenant();
    const email = fresh(t.slug);
    const { invitation, link } = await inviteMember(t.ctx("admin"), { email, role: "viewer" });
    await expireInvitation(invitation.id);
    await expect(
      createAccountFromInvitation({ token: tokenOf(link), password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
    ).rejects.toMatchObject({
      code: "conflict:invitation_expired",
      message: `This invitation to Tenant ${t.slug} has expired. Ask an admin of Tenant ${t.slug} for a new one.`,
    });
    expect(await getUserByEmail(getDb(), email)).toBeNull();
    expect(await describeInvitation(tokenOf(link))).toEqual({ state: "expired", tenantName: `Tenant ${t.slug}` });
    expect((await listInvitations(t.ctx("admin"))).map((i) => i.status)).toEqual(["expired"]);
  });

  it("answers an unknown or malformed link as not valid, never as an error", async () => {
    expect(await describeInvitation(randomBytes(32).toString("base64url"))).toEqual({ state: "invalid" });
    expect(await describeInvitation("../../etc/passwd")).toEqual({ state: "invalid" });
    await expect(
      createAccountFromInvitation({ token: randomBytes(32).toString("base64url"), password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
    ).rejects.toMatchObject({ code: "not_found:invitation" });
  });
});

describe("revoking", () => {
  it("stops the link, is audited, and only the inviting tenant's admins can see or revoke", async () => {
    const a = await makeTenant();
    const b = await makeTenant();
    const { invitation, link } = await inviteMember(a.ctx("admin"), { email: b.users.viewer.email, role: "viewer" });

    expect(await listInvitations(b.ctx("admin"))).toEqual([]);
    await expect(revokeInvitation(b.ctx("admin"), { id: invitation.id })).rejects.toMatchObject({ code: "not_found:invitation" });
    await expect(revokeInvitation(a.ctx("operator"), { id: invitation.id })).rejects.toMatchObject({ code: "forbidden:members:write" });
    expect((await listInvitations(a.ctx("admin"))).map((i) => i.id)).toEqual([invitation.id]);

    await revokeInvitation(a.ctx("admin"), { id: invitation.id });
    const revoked = await expectAuditRow(a.id, "Invitation", "Revoke", b.users.viewer.email);
    expect(revoked.actorName).toBe(a.users.admin.email);
    expect(revoked.changes).toEqual([{ field: "status", before: "pending", after: "revoked" }]);
    expect(await auditRows(b.id, "Invitation", "Revoke")).toEqual([]);
    expect(await listInvitations(a.ctx("admin"))).toEqual([]);

    await expect(acceptInvitation(b.users.viewer, { token: tokenOf(link) })).rejects.toMatchObject({
      code: "conflict:invitation_revoked",
      message: expect.stringContaining("was withdrawn"),
    });
    expect(await getMembership(getDb(), a.id, b.users.viewer.id)).toBeNull();
    await expect(revokeInvitation(a.ctx("admin"), { id: invitation.id })).rejects.toMatchObject({ code: "conflict:invitation_revoked" });
  });
});

describe("the tenant a session opens in", () => {
  it("is the one last switched to or joined, falling back to the first by name when that membership is gone", async () => {
    const first = await makeTenant();
    const second = await makeTenant();
    const [early, late] = [first, second].sort((x, y) => x.slug.localeCompare(y.slug));
    const user = early.users.auditor;
    const ip = "198.51.100.12";

    // Joining the later tenant by name: the next sign-in opens there.
    const { link } = await inviteMember(late.ctx("admin"), { email: user.email, role: "viewer" });
    await acceptInvitation(user, { token: tokenOf(link) });
    expect(await verifyCredentials(user.email, TEST_PASSWORD, ip)).toMatchObject({ tenantId: late.id, role: "viewer" });

    // Switching back is remembered too.
    await chooseTenant(user.id, early.id);
    expect(await verifyCredentials(user.email, TEST_PASSWORD, ip)).toMatchObject({ tenantId: early.id, role: "auditor" });
    await chooseTenant(user.id, late.id);
    expect(await verifyCredentials(user.email, TEST_PASSWORD, ip)).toMatchObject({ tenantId: late.id });
    await expect(chooseTenant(user.id, (await makeTenant()).id)).rejects.toMatchObject({ code: "forbidden:membership" });

    // Removed from it: the first by name again.
    const membership = await getMembership(getDb(), late.id, user.id);
    await removeMember(late.ctx("admin"), { membershipId: membership!.id });
    expect(await verifyCredentials(user.email, TEST_PASSWORD, ip)).toMatchObject({ tenantId: early.id, role: "auditor" });
  });
});
