import { InviteMemberForm } from "@/components/forms/invite-member-form";
import { ConfirmActionButton } from "@/components/forms/confirm-action-button";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requirePlatformPageContext } from "@/lib/auth/session";
import { listTenants } from "@/lib/tenants/service";
import { inviteTenantMemberAction, deactivateTenantAction, toggleTenantActiveAction } from "./actions";
import { CreateTenantForm, EditTenantForm } from "./tenant-forms";

export const metadata = { title: "Tenants" };

export default async function TenantsPage() {
  const ctx = await requirePlatformPageContext("/platform/tenants");
  const tenants = await listTenants(ctx);
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Tenants"
        description="Platform administration: every tenant is isolated; its own admins manage members, keys and integrations."
      />
      <Card>
        <CardHeader>
          <CardTitle>New tenant</CardTitle>
        </CardHeader>
        <CardContent>
          <CreateTenantForm />
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
            <div className="flex flex-wrap gap-2">
              {t.active ? (
                <ConfirmActionButton
                  action={deactivateTenantAction}
                  fields={{ id: t.id }}
                  confirm={`Deactivate ${t.name}? Its members and API keys stop working.`}
                  variant="destructive"
                >
                  Deactivate
                </ConfirmActionButton>
              ) : null}
              <ConfirmActionButton
                action={toggleTenantActiveAction}
                fields={{ id: t.id }}
                confirm={t.active ? `Set ${t.name} inactive?` : `Activate ${t.name}?`}
                variant="outline"
              >
                {t.active ? "Toggle inactive" : "Activate"}
              </ConfirmActionButton>
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
