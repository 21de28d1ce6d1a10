import Link from "next/link";
import { IntegrationSubnav } from "@/components/provisioning/account-subnav";
import { ProvisioningSettingsForm } from "@/components/provisioning/settings-form";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardContent } from "@/components/ui/card";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { orNotFound } from "@/lib/pages";
import { getProvisioningSettings } from "@/lib/provisioning/service";
import { formatTime } from "@/components/integrations/sync-display";
import { saveProvisioningSettingsAction } from "./actions";

export const metadata = { title: "Provisioning settings" };

export default async function ProvisioningSettingsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await requirePageContext("provisioning:read", `/integrations/${id}/provisioning`);
  const view = await orNotFound(getProvisioningSettings(ctx, id));
  const canWrite = can(ctx, "provisioning:write");

  return (
    <div className="grid gap-6">
      <IntegrationSubnav ctx={ctx} integrationId={id} current="provisioning" />
      <PageHeader
        className="mb-0"
        title={`Provisioning: ${view.integration.name}`}
        description={
          <>
            Whether and how SyncLedger writes account and membership changes to this application. Every change of these settings is audited.
            The operations themselves are in the{" "}
            <Link href={`/provisioning?integrationId=${id}`} className="text-primary underline-offset-4 hover:underline">
              Synchronization Logs
            </Link>
            .
          </>
        }
        meta={
          <p className="text-sm text-muted-foreground">
            {view.enabled ? "Provisioning is on." : "Provisioning is off."}
            {view.updatedAt ? ` Last changed ${formatTime(view.updatedAt)} UTC.` : " Never configured."}
          </p>
        }
      />
      <Card className="min-w-0">
        <CardContent>
          <ProvisioningSettingsForm
            view={{
              integration: view.integration,
              enabled: view.enabled,
              // Never configured: CSV applications (no connector writes) start on manual fulfilment, as the design wants.
              mode: view.updatedAt || view.modes.includes("connector") ? view.mode : "manual",
              modes: view.modes,
              settings: view.settings,
              callback: view.callback,
              callbackTimeoutMinutes: view.callbackTimeoutMinutes,
            }}
            canWrite={canWrite}
            action={saveProvisioningSettingsAction}
          />
        </CardContent>
      </Card>
    </div>
  );
}
