import { redirect } from "next/navigation";
import { AppShell } from "@/components/shell/app-shell";
import { getOwnAccount } from "@/lib/account/service";
import { can } from "@/lib/auth/context";
import { getCurrentSession, requireContext } from "@/lib/auth/session";
import { ledgerIntegrityAlert } from "@/lib/ledger/service";
import { isAppError } from "@/lib/errors";
import { navFor } from "./nav";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const session = await getCurrentSession();
  if (!session) redirect("/login");
  const account = await getOwnAccount(session.user);
  if (!account) redirect("/api/auth/signout");
  const { user, tenants } = account;
  const ctx = await requireContext().catch((e) => {
    if (isAppError(e) && e.kind === "forbidden") return null;
    throw e;
  });
  return (
    <AppShell
      session={session}
      user={{ name: user.name, email: user.email }}
      role={ctx?.role ?? (user.isPlatformAdmin ? "platform admin" : "no tenant")}
      tenants={tenants}
      currentTenantId={ctx?.tenantId ?? ""}
      nav={navFor(ctx, user.isPlatformAdmin)}
      ledgerAlert={ctx && can(ctx, "ledger:read") ? await ledgerIntegrityAlert(ctx) : null}
    >
      {children}
    </AppShell>
  );
}
