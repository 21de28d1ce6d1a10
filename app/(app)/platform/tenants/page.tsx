import { InviteMemberForm } from "@/components/forms/invite-member-form";
import { ConfirmActionButton } from "@/components/forms/confirm-action-button";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requirePlatformPageContext } from "@/lib/auth/session";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { listPlatformAdmins } from "@/lib/platform/admins";
import { listTenants } from "@/lib/tenants/service";
import { activateTenantAction, deactivateTenantAction, inviteTenantMemberAction, removePlatformAdminAction } from "./actions";
import { CreateTenantForm, EditTenantForm, GrantPlatformAdminForm } from "./tenant-forms";

export const metadata = { title: "Tenants" };

export default async function TenantsPage() {
  const ctx = await requirePlatformPageContext("/platform/tenants");
  const [tenants, admins] = await Promise.all([listTenants(ctx), listPlatformAdmins(ctx)]);
  const lastAdmin = admins.filter((a) => a.active).length === 1;
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Tenants"
        description="Platform administration: every tenant is isolated; its own admins manage members, keys and integrations."
        actions={
          <Button variant="outline" asChild>
            <Link href="/platform/audit-log">Platform audit log</Link>
          </Button>
        }
      />
      <Card>
        <CardHeader>
          <CardTitle>New tenant</CardTitle>
        </CardHeader>
        <CardContent>
          <CreateTenantForm />
        </CardContent>
      </Card>
      <Card aria-label="Platform administrators">
        <CardHeader>
          <CardTitle>Platform administrators</CardTitle>
          <CardDescription>
            People who administer every tenant. Each grant and removal is recorded in the platform audit log; the last one cannot be
            removed.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <ul className="grid gap-2">
            {admins.map((a) => (
              <li key={a.id} className="flex flex-wrap items-center justify-between gap-2 rounded-md border px-3 py-2">
                <span className="min-w-0 break-all text-sm">
                  <span className="font-medium">{a.email}</span>
                  {a.id === ctx.actor.id ? <span className="text-muted-foreground"> (you)</span> : null}
                  {a.active ? null : (
                    <Badge variant="secondary" className="ml-2">
                      deactivated
                    </Badge>
                  )}
                </span>
                {lastAdmin && a.active ? (
                  <span className="text-xs text-muted-foreground">The last one: grant someone else first to remove</span>
                ) : (
                  <ConfirmActionButton
                    action={removePlatformAdminAction}
                    fields={{ email: a.email }}
                    confirm={`Remove ${a.email} from the platform administrators? They keep their tenant roles but can no longer administer tenants.`}
                    variant="outline"
                    size="sm"
                  >
                    Remove
                  </ConfirmActionButton>
                )}
              </li>
            ))}
          </ul>
          <GrantPlatformAdminForm />
        </CardContent>
      </Card>
      {tenants.map((t) => (
        <Card key={t.id} aria-label={`Tenant ${t.name}`}>
          <CardHeader>
            <CardTitle className="flex items-center gap-2">
              {t.name}
              <Badge variant={t.active ? "success" : "destructive"}>{t.active ? "active" : "deactivated"}</Badge>
            </CardTitle>
            <CardDescription className="font-mono">{t.slug}</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4">
            <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
              {t.active ? (
                <ConfirmActionButton
                  action={deactivateTenantAction}
                  fields={{ id: t.id }}
                  confirm={`Deactivate ${t.name}? Its members can no longer sign in to it and its API keys stop working. Nothing is deleted; you can activate it again.`}
                  variant="destructive"
                  size="sm"
                >
                  Deactivate
                </ConfirmActionButton>
              ) : (
                <ConfirmActionButton
                  action={activateTenantAction}
                  fields={{ id: t.id }}
                  confirm={`Activate ${t.name}? Its members and API keys work again.`}
                  variant="outline"
                  size="sm"
                >
                  Activate
                </ConfirmActionButton>
              )}
              <p className="text-xs text-muted-foreground">
                {t.active
                  ? "Deactivating keeps all data; members and API keys are refused until it is activated again."
                  : "Deactivated: members and API keys are refused. Activating restores access; nothing was deleted."}
              </p>
            </div>
            <details className="rounded-md border p-3">
              <summary className="cursor-pointer text-sm font-medium">Edit name and slug</summary>
              <div className="pt-3">
                <EditTenantForm tenant={t} />
              </div>
            </details>
            <details className="rounded-md border p-3">
              <summary className="cursor-pointer text-sm font-medium">Invite a member</summary>
              <div className="pt-3">
                <InviteMemberForm action={inviteTenantMemberAction} hidden={{ tenantId: t.id }} />
              </div>
            </details>
          </CardContent>
        </Card>
      ))}
    </div>
  );
}
