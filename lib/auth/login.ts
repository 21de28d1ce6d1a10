/**
 * Credential checks for sign-in, with a throttle on failures per account and
 * per address kept in the database (so it holds across processes).
 */
import { and, eq, gt, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { getUserByEmail, listUserTenants } from "@/db/queries/members";
import { loginAttempts } from "@/db/schema";
import { decoyHash, verifyPassword } from "./password";

export const LOGIN_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 50;

export class LoginError extends Error {}

async function recentFailures(email: string, ip: string | null) {
  const since = sql`now() - make_interval(mins => ${LOGIN_WINDOW_MINUTES})`;
  const db = getDb();
  const [byAccount] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(loginAttempts)
    .where(
      and(
        sql`lower(${loginAttempts.email}) = ${email}`,
        eq(loginAttempts.succeeded, false),
        gt(loginAttempts.attemptedAt, since),
      ),
    );
  let byIp = 0;
  if (ip) {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(loginAttempts)
      .where(and(eq(loginAttempts.ip, ip), eq(loginAttempts.succeeded, false), gt(loginAttempts.attemptedAt, since)));
    byIp = row.n;
  }
  return { byAccount: byAccount.n, byIp };
}

export type AuthenticatedUser = {
  id: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
  tenantId: string | null;
  role: string | null;
};

/** Resolves a user's default tenant: the first active one they belong to. */
export async function sessionClaimsFor(user: { id: string; email: string; name: string; isPlatformAdmin: boolean }) {
  const tenants = await listUserTenants(getDb(), user.id);
  return { ...user, tenantId: tenants[0]?.id ?? null, role: tenants[0]?.role ?? null };
}

export async function verifyCredentials(
  rawEmail: string,
  password: string,
  ip: string | null,
): Promise<AuthenticatedUser> {
  const email = rawEmail.trim().toLowerCase();
  if (!email || !password) throw new LoginError("Enter your email and password.");
  const failures = await recentFailures(email, ip);
  if (failures.byAccount >= MAX_FAILURES_PER_ACCOUNT || failures.byIp >= MAX_FAILURES_PER_IP) {
    throw new LoginError(`Too many failed sign-ins. Wait ${LOGIN_WINDOW_MINUTES} minutes and try again.`);
  }
  const user = await getUserByEmail(getDb(), email);
  const ok = user?.passwordHash
    ? await verifyPassword(user.passwordHash, password)
    : (await verifyPassword(await decoyHash(), password), false);
  await getDb().insert(loginAttempts).values({ email, ip, succeeded: ok && !!user?.active });
  if (!ok || !user) throw new LoginError("Email or password is incorrect.");
  if (!user.active) throw new LoginError("This account is disabled.");
  return sessionClaimsFor(user);
}
