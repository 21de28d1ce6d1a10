import { connectorOptions } from "@/components/integrations/connector-options";
import { IntegrationForm } from "@/components/integrations/integration-form";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardContent } from "@/components/ui/card";
import { requirePageContext } from "@/lib/auth/session";
import { saveIntegrationAction, testConnectionAction } from "../actions";

export const metadata = { title: "New integration" };

export default async function NewIntegrationPage() {
  await requirePageContext("integrations:write", "/integrations/new");
  return (
    <div className="grid gap-6">
      <PageHeader
        title="New integration"
        description="Connect an identity source, choose how its attributes map onto accounts, groups and memberships, and save: the first sync starts at once."
      />
      <Card>
        <CardContent>
          <IntegrationForm connectors={connectorOptions()} saveAction={saveIntegrationAction} testAction={testConnectionAction} />
        </CardContent>
      </Card>
    </div>
  );
}
