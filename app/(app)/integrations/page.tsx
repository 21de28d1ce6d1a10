import Link from "next/link";
import { Plus } from "lucide-react";
import { IntegrationRowActions } from "@/components/integrations/integration-row-actions";
import { IntegrationLogo } from "@/components/integrations/integration-logo";
import { LiveRefresh } from "@/components/integrations/live-refresh";
import { SYNC_STATUS_LABELS, SyncStatusBadge, formatTime, isRunning } from "@/components/integrations/sync-display";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/data/data-table";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { getConnector, isConnectorType } from "@/lib/connectors/registry";
import { listIntegrations } from "@/lib/integrations/service";
import { deleteIntegrationAction, requestSyncAction, setIntegrationActiveAction } from "./actions";

export const metadata = { title: "Integrations" };

function connectorLabel(type: string): string {
  return isConnectorType(type) ? getConnector(type).label : type;
}

type Integration = Awaited<ReturnType<typeof listIntegrations>>[number];

export default async function IntegrationsPage() {
  const ctx = await requirePageContext("integrations:read", "/integrations");
  const integrations = await listIntegrations(ctx);
  const canWrite = can(ctx, "integrations:write");
  const canRun = can(ctx, "syncs:run");
  const canReadSyncs = can(ctx, "syncs:read");
  const canReadProvisioning = can(ctx, "provisioning:read");
  const anyRunning = integrations.some((i) => isRunning(i.lastSyncStatus));

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Integrations"
        description="Direct configuration integrations: the identity sources SyncLedger extracts accounts, groups and memberships from. Every change is audited and starts a sync."
        actions={
          <>
            <LiveRefresh active={anyRunning} />
            {canWrite ? (
              <Button asChild>
                <Link href="/integrations/new">
                  <Plus aria-hidden="true" /> New integration
                </Link>
              </Button>
            ) : null}
          </>
        }
      />

      <DataTable<Integration>
        label="Integrations"
        rows={integrations}
        rowKey={(i) => i.id}
        empty={<>No integrations yet.{canWrite ? " Add one with “New integration”." : ""}</>}
        columns={[
          {
            id: "name",
            header: "Name",
            className: "min-w-40 font-medium whitespace-normal break-words",
            stacked: "title",
            cell: (i) => (
              <div className="flex items-center gap-2">
                <IntegrationLogo integrationId={i.id} logoUploadId={i.logoUploadId} name={i.name} />
                {canReadSyncs ? (
                  <Link href={`/integrations/${i.id}/syncs`} className="hover:underline">
                    {i.name}
                  </Link>
                ) : (
                  i.name
                )}
              </div>
            ),
          },
          { id: "connector", header: "Connector", priority: "lg", cell: (i) => connectorLabel(i.connector) },
          {
            id: "owner",
            header: "Owner",
            priority: "xl",
            className: "max-w-56 truncate",
            cell: (i) => i.ownerEmail ?? <span className="text-muted-foreground">—</span>,
          },
          {
            id: "lastSync",
            header: "Last sync",
            cell: (i) =>
              i.lastSyncStatus ? (
                <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                  {canReadSyncs && i.lastSyncId ? (
                    <Link
                      href={`/syncs/${i.lastSyncId}`}
                      aria-label={`${SYNC_STATUS_LABELS[i.lastSyncStatus] ?? i.lastSyncStatus}: last sync of ${i.name}`}
                      className="rounded-md"
                    >
                      <SyncStatusBadge status={i.lastSyncStatus} />
                    </Link>
                  ) : (
                    <SyncStatusBadge status={i.lastSyncStatus} />
                  )}
                  <span className="font-mono text-xs text-muted-foreground">{formatTime(i.lastSyncAt)}</span>
                </div>
              ) : (
                <span className="text-muted-foreground">Never synced</span>
              ),
          },
          {
            id: "schedule",
            header: "Schedule",
            priority: "xl",
            className: "text-xs",
            cell: (i) => (i.scheduleMinutes ? `Every ${i.scheduleMinutes} min` : <span className="text-muted-foreground">Manual</span>),
          },
          {
            id: "active",
            header: "Active",
            priority: "md",
            cell: (i) => (i.active ? <Badge variant="success">Active</Badge> : <Badge variant="outline">Inactive</Badge>),
          },
          {
            id: "actions",
            header: "Actions",
            srOnlyHeader: true,
            stacked: "actions",
            cell: (i) => (
              <div className="flex sm:justify-end">
                <IntegrationRowActions
                  integration={{ id: i.id, name: i.name, active: i.active }}
                  canWrite={canWrite}
                  canRun={canRun}
                  canReadProvisioning={canReadProvisioning}
                  actions={{
                    requestSync: requestSyncAction,
                    setActive: setIntegrationActiveAction,
                    remove: deleteIntegrationAction,
                  }}
                />
              </div>
            ),
          },
        ]}
        detail={{ title: (i) => i.name }}
      />
    </div>
  );
}
