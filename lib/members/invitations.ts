/**
 * The invitee's side of an invitation: what a link offers, accepting it as
 * the signed-in user it names, and, for an address with no account, setting a
 * password, which creates the account and the membership and uses up the link
 * in one transaction. Each acceptance is audited in the inviting tenant.
 */
import { getDb, type Executor } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import * as invitationQueries from "@/db/queries/invitations";
import * as queries from "@/db/queries/members";
import type { RequestMeta } from "@/lib/auth/context";
import { hashPassword } from "@/lib/auth/password";
import type { Role } from "@/lib/auth/permissions";
import { recordAuditEvent } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { hashInvitationToken, invitationStatus } from "./invitation-tokens";
import { acceptInvitationSchema, createAccountFromInvitationSchema, invitationTokenSchema } from "./schemas";

type Found = NonNullable<Awaited<ReturnType<typeof invitationQueries.findInvitationByTokenHash>>>;

export type InvitationOffer =
  | { state: "invalid" }
  | { state: "expired" | "revoked" | "accepted" | "tenant_inactive"; tenantName: string }
  | { state: "pending"; tenantName: string; email: string; role: Role; expiresAt: Date; hasAccount: boolean };

async function find(db: Executor, token: unknown, lock = false): Promise<Found | null> {
  const parsed = invitationTokenSchema.safeParse(token);
  if (!parsed.success) return null;
  return invitationQueries.findInvitationByTokenHash(db, hashInvitationToken(parsed.data), lock);
}

/** Why a link cannot be used, in words that tell the person what to do next. */
function refusal(found: Found | null): AppError | null {
  if (!found) {
    return new AppError("not_found:invitation", "This invitation link is not valid. Check that it was copied whole, or ask for a new one.");
  }
  const tenant = found.tenantName;
  switch (invitationStatus(found.invitation)) {
    case "accepted":
      return new AppError("conflict:invitation_used", `This invitation to ${tenant} has already been used; each link works once.`);
    case "revoked":
      return new AppError(
        "conflict:invitation_revoked",
        `This invitation to ${tenant} was withdrawn. Ask an admin of ${tenant} for a new one.`,
      );
    case "expired":
      return new AppError(
        "conflict:invitation_expired",
        `This invitation to ${tenant} has expired. Ask an admin of ${tenant} for a new one.`,
      );
  }
  if (!found.tenantActive)
    return new AppError("forbidden:tenant_inactive", `${tenant} is deactivated; its invitations cannot be accepted.`);
  return null;
}

/** What the link at /invite/<token> offers. Never throws for a bad, used or expired link. */
export async function describeInvitation(token: unknown): Promise<InvitationOffer> {
  const found = await find(getDb(), token);
  if (!found) return { state: "invalid" };
  const status = invitationStatus(found.invitation);
  if (status !== "pending") return { state: status, tenantName: found.tenantName };
  if (!found.tenantActive) return { state: "tenant_inactive", tenantName: found.tenantName };
  const { email, role, expiresAt } = found.invitation;
  // The link's holder is the invitee; whether their address has an account decides what they do next.
  const hasAccount = !!(await queries.getUserByEmail(getDb(), email));
  return { state: "pending", tenantName: found.tenantName, email, role, expiresAt, hasAccount };
}

async function join(tx: Executor, found: Found, user: { id: string; email: string }, request: RequestMeta, newAccount: boolean) {
  const { invitation } = found;
  if (await queries.getMembership(tx, invitation.tenantId, user.id)) {
    throw new AppError("conflict:member", `You are already a member of ${found.tenantName}.`);
  }
  const now = new Date();
  const membership = await queries.insertMembership(tx, { tenantId: invitation.tenantId, userId: user.id, role: invitation.role });
  await invitationQueries.markInvitationAccepted(tx, invitation.id, user.id, now);
  await queries.setLastTenant(tx, user.id, invitation.tenantId);
  await recordAuditEvent(
    tx,
    { tenantId: invitation.tenantId, actor: { type: "user", id: user.id, name: user.email }, request },
    {
      entityType: "Invitation",
      action: "Accept",
      entityId: invitation.id,
      entityName: invitation.email,
      details: `${invitation.email} accepted the invitation from ${invitation.invitedByName} and joined as ${invitation.role}${newAccount ? " with a new account" : ""}`,
      before: { status: "pending" },
      after: { status: "accepted", role: invitation.role, membershipId: membership.id },
    },
  );
  return { tenantId: invitation.tenantId, tenantName: found.tenantName, role: invitation.role, membershipId: membership.id };
}

/**
 * The signed-in user accepts. Only the address the invitation names may: a
 * link forwarded to, or opened by, anyone else does not let them in.
 */
export async function acceptInvitation(user: { id: string; email: string }, input: unknown, request: RequestMeta = {}) {
  const { token } = parseInput(acceptInvitationSchema, input);
  return getDb().transaction(async (tx) => {
    const found = await find(tx, token, true);
    const refused = refusal(found);
    if (refused) throw refused;
    const account = await queries.getUser(tx, user.id);
    if (!account?.active) throw new AppError("forbidden:user_inactive", "This account is disabled.");
    if (account.email.toLowerCase() !== found!.invitation.email) {
      throw new AppError(
        "forbidden:invitation_email",
        `This invitation is for ${found!.invitation.email}, and you are signed in as ${account.email}. Sign out, then sign in as ${found!.invitation.email} to accept it.`,
      );
    }
    return join(tx, found!, { id: account.id, email: account.email }, request, false);
  });
}

/**
 * For an address with no account: the invitee chooses a password, and the
 * account, its membership and the used-up link commit together. An address
 * that has an account is refused (its owner signs in instead), so a link can
 * never set someone's password.
 */
export async function createAccountFromInvitation(input: unknown, request: RequestMeta = {}) {
  const data = parseInput(createAccountFromInvitationSchema, input);
  const early = refusal(await find(getDb(), data.token));
  if (early) throw early;
  const passwordHash = await hashPassword(data.password);
  try {
    return await getDb().transaction(async (tx) => {
      const found = await find(tx, data.token, true);
      const refused = refusal(found);
      if (refused) throw refused;
      const { email } = found!.invitation;
      if (await queries.getUserByEmail(tx, email)) throw accountExists(email);
      const user = await queries.insertUser(tx, { email, name: data.name ?? email.split("@")[0], passwordHash });
      const joined = await join(tx, found!, user, request, true);
      return { ...joined, email };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw accountExists("this address");
    throw e;
  }
}

function accountExists(email: string) {
  return new AppError("conflict:account_exists", `An account for ${email} already exists. Sign in with it to accept the invitation.`);
}
