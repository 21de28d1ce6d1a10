import { CampaignForm } from "@/components/campaigns/campaign-form";
import { PageHeader } from "@/components/shell/page-header";
import { requirePageContext } from "@/lib/auth/session";
import { reviewerCandidates } from "@/lib/campaigns/service";
import { listIntegrations } from "@/lib/integrations/service";
import { createCampaignAction, grantChoicesAction, previewCampaignAction } from "../actions";

export const metadata = { title: "New campaign" };
export const dynamic = "force-dynamic";

export default async function NewCampaignPage() {
  const ctx = await requirePageContext("campaigns:write", "/campaigns/new");
  const [integrations, reviewers] = await Promise.all([listIntegrations(ctx), reviewerCandidates(ctx)]);
  return (
    <div className="grid gap-6">
      <PageHeader
        title="New campaign"
        description="Choose who reviews and what: the filter picks the accounts, groups and memberships of each integration's most recent completed sync, and creating the campaign freezes that sync state and its evidence as the campaign's Sync Context."
      />
      <CampaignForm
        integrations={integrations.map((i) => ({
          id: i.id,
          name: i.name,
          logoUploadId: i.logoUploadId,
          active: i.active,
          ownerEmail: i.ownerEmail,
          lastSyncStatus: i.lastSyncStatus,
        }))}
        reviewers={reviewers}
        previewAction={previewCampaignAction}
        grantChoicesAction={grantChoicesAction}
        createAction={createCampaignAction}
      />
    </div>
  );
}
