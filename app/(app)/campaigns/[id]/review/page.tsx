import Link from "next/link";
import { CampaignControls } from "@/components/campaigns/review/campaign-controls";
import { ReassignForm } from "@/components/campaigns/review/reassign-form";
import { ItemFilterFields } from "@/components/campaigns/item-filter-fields";
import { type ReviewRow, ReviewQueue } from "@/components/campaigns/review/review-queue";
import { FilterForm, FilterProblem } from "@/components/data/filter-form";
import { PageHeader } from "@/components/shell/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { ITEMS_PAGE_SIZE, listItems, reviewPageFacts } from "@/lib/campaigns/review";
import { getCampaign, ownItemsOnly, reviewerCandidates } from "@/lib/campaigns/service";
import { CAMPAIGN_STATUS_LABELS } from "@/lib/domain/enums";
import { formatCount, formatDate, formatDateTime, plural } from "@/lib/format";
import { filterQuery, orNotFound, withFilterProblem } from "@/lib/pages";
import { completeCampaignAction, decideItemsAction, reassignItemsAction, startCampaignAction } from "./actions";

export const metadata = { title: "Review" };
export const dynamic = "force-dynamic";

const FILTER_KEYS = ["reviewerId", "integrationId", "objectType", "status", "q"] as const;
type Params = Partial<Record<(typeof FILTER_KEYS)[number] | "after", string>>;

const query = (params: Params, extra?: Record<string, string>) => filterQuery(FILTER_KEYS, params, extra);

export default async function ReviewPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Params> }) {
  const { id } = await params;
  const path = `/campaigns/${id}/review`;
  const ctx = await requirePageContext("campaigns:read", path);
  const sp = await searchParams;
  const { campaign, progress } = await orNotFound(getCampaign(ctx, id));
  const own = ownItemsOnly(ctx);
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, sp[k] || undefined])) as Record<
    (typeof FILTER_KEYS)[number],
    string | undefined
  >;
  if (own) filters.reviewerId = undefined;
  const [{ value: page, problem }, facts] = await Promise.all([
    withFilterProblem(
      () => listItems(ctx, campaign.id, { ...filters, after: sp.after || undefined }),
      () => ({ campaign, items: [], next: null }),
    ),
    withFilterProblem(
      () => reviewPageFacts(ctx, campaign.id, filters),
      () => ({ integrations: [], reviewers: [], decidable: 0, reassignable: 0 }),
    ),
  ]);
  const candidates = facts.value.reassignable > 0 ? await reviewerCandidates(ctx) : [];
  const readOnly = campaign.status !== "active";
  const mayDecide = can(ctx, "campaigns:decide");
  const mine = own ? progress.filter((p) => p.reviewerId === own) : progress;
  const total = mine.reduce((n, p) => n + p.total, 0);
  const decided = mine.reduce((n, p) => n + p.approved + p.revoked, 0);
  const undecidedAll = progress.reduce((n, p) => n + p.total - p.approved - p.revoked, 0);
  const itemSetFilter = Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as Record<string, string>;

  return (
    <div className="grid gap-6">
      <PageHeader
        title={own ? `Review: ${campaign.name}` : `Review items: ${campaign.name}`}
        description={
          own
            ? "The items assigned to you. Approve the access that is still needed and revoke what should go (say why); you can change a decision until the campaign is completed."
            : "Every item of the campaign, by reviewer. Members decide the items assigned to them; reassign to take over another's."
        }
        meta={
          <div className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
            <Badge variant={campaign.status === "active" ? "default" : "secondary"}>{CAMPAIGN_STATUS_LABELS[campaign.status]}</Badge>
            <span>Due {formatDate(`${campaign.dueDate}T00:00:00Z`)}</span>
            <span>
              {formatCount(decided)} of {formatCount(total)} decided{own ? " by you" : ""}
            </span>
            <Link href={`/campaigns/${campaign.id}`} className="font-medium text-primary hover:underline">
              Campaign summary
            </Link>
          </div>
        }
        actions={
          can(ctx, "campaigns:write") ? (
            <CampaignControls
              campaignId={campaign.id}
              name={campaign.name}
              status={campaign.status}
              undecided={undecidedAll}
              start={startCampaignAction}
              complete={completeCampaignAction}
            />
          ) : null
        }
      />
      {readOnly ? (
        <Alert>
          <AlertDescription>
            {campaign.status === "completed"
              ? `This campaign was completed${campaign.endedAt ? ` on ${formatDateTime(campaign.endedAt)}` : ""}${campaign.endedByName ? ` by ${campaign.endedByName}` : ""}: its decisions are final and read-only.`
              : campaign.status === "cancelled"
                ? "This campaign was cancelled: its items are read-only."
                : "This campaign is a draft: its items can be decided once it is started."}
          </AlertDescription>
        </Alert>
      ) : null}
      <FilterForm label="Review filters" resetHref={path} className="lg:grid-cols-5">
        <ItemFilterFields values={filters} reviewers={own ? null : facts.value.reviewers} integrations={facts.value.integrations} />
      </FilterForm>
      <FilterProblem message={problem?.message ?? facts.problem?.message} />
      <ReassignForm
        campaignId={campaign.id}
        matching={facts.value.reassignable}
        filter={itemSetFilter}
        candidates={candidates}
        reassign={reassignItemsAction}
      />
      <ReviewQueue
        campaignId={campaign.id}
        rows={page.items as ReviewRow[]}
        readOnly={readOnly}
        decidableBy={mayDecide ? (ctx.actor.type === "user" ? ctx.actor.id : null) : "none"}
        decidable={facts.value.decidable}
        filter={itemSetFilter}
        syncLinks={can(ctx, "syncs:read")}
        taskLinks={can(ctx, "provisioning:read")}
        showReviewer={!own}
        decide={decideItemsAction}
      />
      <KeysetPager
        label="Review items pagination"
        summary={`${plural(page.items.length, "item")} on this page (${ITEMS_PAGE_SIZE} per page)`}
        firstHref={sp.after ? `${path}${query(sp)}` : null}
        nextHref={page.next ? `${path}${query(sp, { after: String(page.next) })}` : null}
      />
    </div>
  );
}
