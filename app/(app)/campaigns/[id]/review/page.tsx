import Link from "next/link";
import { CampaignControls } from "@/components/campaigns/review/campaign-controls";
import { ReassignForm } from "@/components/campaigns/review/reassign-form";
import { type ReviewRow, ReviewQueue } from "@/components/campaigns/review/review-queue";
import { FilterField, FilterForm, FilterProblem } from "@/components/data/filter-form";
import { PageHeader } from "@/components/shell/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/input";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { ITEMS_PAGE_SIZE, listItems, reviewPageFacts } from "@/lib/campaigns/review";
import { getCampaign, ownItemsOnly, reviewerCandidates } from "@/lib/campaigns/service";
import { CAMPAIGN_STATUS_LABELS, OBJECT_TYPE_LABELS, OBJECT_TYPES } from "@/lib/domain/enums";
import { formatCount, formatDate, formatDateTime, plural } from "@/lib/format";
import { orNotFound, withFilterProblem } from "@/lib/pages";
import { completeCampaignAction, decideItemsAction, reassignItemsAction, startCampaignAction } from "./actions";

export const metadata = { title: "Review" };
export const dynamic = "force-dynamic";

const FILTER_KEYS = ["reviewerId", "integrationId", "objectType", "status", "q"] as const;
type Params = Partial<Record<(typeof FILTER_KEYS)[number] | "after", string>>;

function query(params: Params, extra: Record<string, string> = {}): string {
  const out = new URLSearchParams();
  for (const k of FILTER_KEYS) if (params[k]) out.set(k, params[k]!);
  for (const [k, v] of Object.entries(extra)) out.set(k, v);
  const s = out.toString();
  return s ? `?${s}` : "";
}

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
        {own ? null : (
          <FilterField label="Reviewer" htmlFor="reviewerId">
            <NativeSelect id="reviewerId" name="reviewerId" defaultValue={filters.reviewerId ?? ""} className="w-full">
              <NativeSelectOption value="">All reviewers</NativeSelectOption>
              {facts.value.reviewers.map((r) => (
                <NativeSelectOption key={r.id} value={r.id}>
                  {r.name}
                </NativeSelectOption>
              ))}
            </NativeSelect>
          </FilterField>
        )}
        <FilterField label="Integration" htmlFor="integrationId">
          <NativeSelect id="integrationId" name="integrationId" defaultValue={filters.integrationId ?? ""} className="w-full">
            <NativeSelectOption value="">All integrations</NativeSelectOption>
            {facts.value.integrations.map((i) => (
              <NativeSelectOption key={i.id} value={i.id}>
                {i.name}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FilterField>
        <FilterField label="Object type" htmlFor="objectType">
          <NativeSelect id="objectType" name="objectType" defaultValue={filters.objectType ?? ""} className="w-full">
            <NativeSelectOption value="">All object types</NativeSelectOption>
            {OBJECT_TYPES.map((t) => (
              <NativeSelectOption key={t} value={t}>
                {OBJECT_TYPE_LABELS[t]}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FilterField>
        <FilterField label="Status" htmlFor="status">
          <NativeSelect id="status" name="status" defaultValue={filters.status ?? ""} className="w-full">
            <NativeSelectOption value="">Any status</NativeSelectOption>
            <NativeSelectOption value="undecided">Undecided</NativeSelectOption>
            <NativeSelectOption value="approve">Approved</NativeSelectOption>
            <NativeSelectOption value="revoke">Revoked</NativeSelectOption>
          </NativeSelect>
        </FilterField>
        <FilterField label="Account or group" htmlFor="q">
          <Input id="q" name="q" type="search" placeholder="Contains…" defaultValue={filters.q ?? ""} />
        </FilterField>
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
