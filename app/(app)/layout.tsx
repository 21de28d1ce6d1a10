import { redirect } from "next/navigation";
import { AppShell } from "@/components/shell/app-shell";
import { getDb } from "@/db/client";
import { getUser, listUserTenants } from "@/db/queries/members";
import { getCurrentSession, requireContext } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { navFor } from "./nav";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const session = await getCurrentSession();
  if (!session) redirect("/login");
  const user = await getUser(getDb(), session.user.id);
  if (!user?.active) redirect("/api/auth/signout");
  const ctx = await requireContext().catch((e) => {
    if (isAppError(e) && e.kind === "forbidden") return null;
    throw e;
  });
  const tenants = await listUserTenants(getDb(), user.id);
  return (
    <AppShell
      session={session}
      user={{ name: user.name, email: user.email }}
      role={ctx?.role ?? (user.isPlatformAdmin ? "platform admin" : "no tenant")}
      tenants={tenants.map(({ id, name, slug }) => ({ id, name, slug }))}
      currentTenantId={ctx?.tenantId ?? ""}
      nav={navFor(ctx, user.isPlatformAdmin)}
    >
      {children}
    </AppShell>
  );
}
