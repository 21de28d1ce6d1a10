/**
 * The signed-in person's own account, as the app frame shows it: who they are
 * and the tenants they belong to. Needs no tenant permission (it is their own
 * account) but a session, which the caller passes as getSessionUser() gave it.
 */
import "server-only";
import { getDb } from "@/db/client";
import { getUser, listUserTenants } from "@/db/queries/members";

/** The account and its tenants; null when the account is gone or deactivated (its session must end). */
export async function getOwnAccount(session: { id: string }) {
  const user = await getUser(getDb(), session.id);
  if (!user?.active) return null;
  const tenants = await listUserTenants(getDb(), user.id);
  return {
    user: { id: user.id, name: user.name, email: user.email, isPlatformAdmin: user.isPlatformAdmin },
    tenants: tenants.map(({ id, name, slug }) => ({ id, name, slug })),
  };
}
