import { connectorOptions } from "@/components/integrations/connector-options";
import { IntegrationForm } from "@/components/integrations/integration-form";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardContent } from "@/components/ui/card";
import { requirePageContext } from "@/lib/auth/session";
import { orNotFound } from "@/lib/pages";
import { getIntegration } from "@/lib/integrations/service";
import { saveIntegrationAction, testConnectionAction } from "../../actions";

export const metadata = { title: "Edit integration" };

export default async function EditIntegrationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await requirePageContext("integrations:write", `/integrations/${id}/edit`);
  const integration = await orNotFound(getIntegration(ctx, id));
  return (
    <div className="grid gap-6">
      <PageHeader
        title={`Edit “${integration.name}”`}
        description="Secrets are never shown again: leave them blank to keep the stored values. Saving is audited and starts a sync."
      />
      <Card>
        <CardContent>
          <IntegrationForm
            connectors={connectorOptions()}
            saveAction={saveIntegrationAction}
            testAction={testConnectionAction}
            initial={{
              id: integration.id,
              name: integration.name,
              connector: integration.connector,
              active: integration.active,
              config: integration.config,
              mapping: integration.mapping,
              scheduleMinutes: integration.scheduleMinutes,
              dropThresholdPercent: integration.dropThresholdPercent,
              maxRunMinutes: integration.maxRunMinutes,
              logoUploadId: integration.logoUploadId,
            }}
          />
        </CardContent>
      </Card>
    </div>
  );
}
