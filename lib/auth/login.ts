/**
 * Credential checks for sign-in, throttled by account, by address and by the
 * pair with growing delays kept in the database (so they hold across
 * processes), and the per-user session version that lets the server end
 * sessions whose JWT cookies have not expired.
 */
import "server-only";
import { getDb } from "@/db/client";
import { insertLoginAttempt, recentFailures } from "@/db/queries/login-attempts";
import { bumpSessionVersion, getUserByEmail, getUserSessionState, listUserTenants, setLastTenant } from "@/db/queries/members";
import type { RequestMeta } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { decoyHash, verifyPassword } from "./password";
import { signInSchema } from "./schemas";
import { secondsToWait, THROTTLE_RULES, THROTTLE_WINDOW_SECONDS, tooManyAttemptsMessage } from "./throttle";

export type AuthenticatedUser = {
  id: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
  tenantId: string | null;
  role: string | null;
  sessionVersion: number;
};

/**
 * Resolves the tenant a new session opens in: the one the user last switched
 * to or joined, while they still belong to it and it is active; else the
 * first active one by name.
 */
export async function sessionClaimsFor(user: {
  id: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
  sessionVersion: number;
  lastTenantId?: string | null;
}): Promise<AuthenticatedUser> {
  const tenants = await listUserTenants(getDb(), user.id);
  const tenant = tenants.find((t) => t.id === user.lastTenantId) ?? tenants[0];
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isPlatformAdmin: user.isPlatformAdmin,
    sessionVersion: user.sessionVersion,
    tenantId: tenant?.id ?? null,
    role: tenant?.role ?? null,
  };
}

/** A tenant switch: the user must belong to the tenant; it becomes the one their next session opens in. */
export async function chooseTenant(userId: string, tenantId: string): Promise<{ id: string; role: string }> {
  const target = (await listUserTenants(getDb(), userId)).find((t) => t.id === tenantId);
  if (!target) throw new AppError("forbidden:membership", "You are not a member of that tenant.");
  await setLastTenant(getDb(), userId, target.id);
  return target;
}

/** Seconds the next attempt for this account from this address must wait; 0 when it may go ahead. */
async function throttleWait(email: string, ip: string | null): Promise<number> {
  const db = getDb();
  const [pair, account, address] = await Promise.all([
    recentFailures(db, { email, ip }, THROTTLE_WINDOW_SECONDS, true),
    recentFailures(db, { email }, THROTTLE_WINDOW_SECONDS, true),
    // A success does not clear an address: a sprayer could sign in to an account of their own between guesses.
    ip ? recentFailures(db, { ip }, THROTTLE_WINDOW_SECONDS, false) : null,
  ]);
  return Math.max(
    secondsToWait(pair.failures, pair.secondsSinceLast, THROTTLE_RULES.accountAtAddress),
    secondsToWait(account.failures, account.secondsSinceLast, THROTTLE_RULES.account),
    address ? secondsToWait(address.failures, address.secondsSinceLast, THROTTLE_RULES.address) : 0,
  );
}

export async function verifyCredentials(rawEmail: string, password: string, ip: string | null): Promise<AuthenticatedUser> {
  const email = rawEmail.trim().toLowerCase();
  if (!email || !password) throw new AppError("unprocessable:sign_in", "Enter your email and password.");
  const wait = await throttleWait(email, ip);
  // A refused attempt is not recorded: it was not a guess, and must not push the wait further out.
  if (wait > 0) throw new AppError("rate_limited:sign_in", tooManyAttemptsMessage(wait));
  const user = await getUserByEmail(getDb(), email);
  // Without a stored hash the decoy is still verified, so timing does not tell whether the account exists.
  const ok = user?.passwordHash
    ? await verifyPassword(user.passwordHash, password)
    : await verifyPassword(await decoyHash(), password).then(() => false);
  await insertLoginAttempt(getDb(), { email, ip, succeeded: ok && !!user?.active });
  if (!ok || !user) throw new AppError("unauthorized:credentials", "Email or password is incorrect.");
  if (!user.active) throw new AppError("forbidden:user_inactive", "This account is disabled.");
  return sessionClaimsFor(user);
}

/** The sign-in form's use case: parse, then check the credentials from the request's address. */
export async function signInWithPassword(input: unknown, request: RequestMeta): Promise<AuthenticatedUser> {
  const data = parseInput(signInSchema, input);
  return verifyCredentials(data.email, data.password, request.ip ?? null);
}

/** Whether a token issued with `sessionVersion` is still good: not signed out, re-roled or removed since. */
export async function isSessionCurrent(userId: string, sessionVersion: number | undefined): Promise<boolean> {
  const state = await getUserSessionState(getDb(), userId);
  return !!state && state.active && state.sessionVersion === (sessionVersion ?? 0);
}

/** Sign-out: every session the user holds stops working, on this device and any other. */
export async function endSessions(userId: string): Promise<void> {
  await bumpSessionVersion(getDb(), userId);
}
