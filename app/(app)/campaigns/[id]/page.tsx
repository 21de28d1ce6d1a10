import Link from "next/link";
import { ClipboardCheck } from "lucide-react";
import { CampaignStatusBadge, DecidedBar, DueDate } from "@/components/campaigns/campaign-display";
import { ProgressChart, ProgressLegend } from "@/components/campaigns/progress-chart";
import { ReportMenu } from "@/components/campaigns/report-menu";
import { CampaignControls } from "@/components/campaigns/review/campaign-controls";
import { SyncEvidenceDialog } from "@/components/campaigns/sync-evidence-dialog";
import { ItemFilterFields } from "@/components/campaigns/item-filter-fields";
import { DataTable } from "@/components/data/data-table";
import { FilterForm, FilterProblem } from "@/components/data/filter-form";
import { PageHeader } from "@/components/shell/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { ITEMS_PAGE_SIZE, listItems } from "@/lib/campaigns/review";
import { getCampaignSummary, ownItemsOnly } from "@/lib/campaigns/service";
import { OBJECT_TYPE_LABELS, REVIEW_DECISION_LABELS, type ObjectType } from "@/lib/domain/enums";
import { formatDateTime, plural } from "@/lib/format";
import { filterQuery, orNotFound, withFilterProblem } from "@/lib/pages";
import { syncContextAction } from "../actions";
import { cancelCampaignAction, completeCampaignAction, startCampaignAction } from "./review/actions";

export const metadata = { title: "Campaign" };
export const dynamic = "force-dynamic";

const FILTER_KEYS = ["reviewerId", "integrationId", "objectType", "status", "q"] as const;
type Params = Partial<Record<(typeof FILTER_KEYS)[number] | "after" | "created", string>>;

const query = (params: Params, extra?: Record<string, string>) => filterQuery(FILTER_KEYS, params, extra);

type Item = Awaited<ReturnType<typeof listItems>>["items"][number];

export default async function CampaignSummaryPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Params>;
}) {
  const { id } = await params;
  const ctx = await requirePageContext("campaigns:read", `/campaigns/${id}`);
  const sp = await searchParams;
  const summary = await orNotFound(getCampaignSummary(ctx, id));
  const { campaign, totals, byReviewer, byIntegration } = summary;
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, sp[k] ?? ""])) as Record<(typeof FILTER_KEYS)[number], string>;
  const { value: page, problem } = await withFilterProblem(
    () =>
      listItems(ctx, id, {
        ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)),
        after: sp.after,
      }),
    () => ({ campaign, items: [], next: null }),
  );
  const reviewer = ownItemsOnly(ctx) !== null;
  const me = ctx.actor.type === "user" ? ctx.actor.id : null;
  const hasOwnItems = !!me && byReviewer.some((r) => r.reviewerId === me && r.total > 0);
  const canDecide = can(ctx, "campaigns:decide") && hasOwnItems && campaign.status === "active";
  const base = `/campaigns/${id}`;

  return (
    <div className="grid gap-6">
      <PageHeader
        title={campaign.name}
        description={campaign.description || undefined}
        meta={
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-muted-foreground">
            <CampaignStatusBadge status={campaign.status} />
            <span>
              Due <DueDate dueDate={campaign.dueDate} status={campaign.status} />
            </span>
            <span>
              Created by {campaign.createdByName} on {formatDateTime(campaign.createdAt)}
            </span>
            <Link href="/campaigns" className="underline-offset-2 hover:underline">
              All campaigns
            </Link>
          </div>
        }
        actions={
          canDecide || can(ctx, "campaigns:write") ? (
            <div className="flex flex-wrap gap-2">
              {canDecide ? (
                <Button asChild size="sm">
                  <Link href={`${base}/review`}>
                    <ClipboardCheck aria-hidden="true" /> Review my items
                  </Link>
                </Button>
              ) : null}
              {can(ctx, "campaigns:write") ? (
                <CampaignControls
                  campaignId={campaign.id}
                  name={campaign.name}
                  status={campaign.status}
                  undecided={totals.total - totals.decided}
                  start={startCampaignAction}
                  complete={completeCampaignAction}
                  cancel={cancelCampaignAction}
                />
              ) : null}
            </div>
          ) : null
        }
      />

      {sp.created ? (
        <Alert variant="success" role="status">
          <AlertDescription>
            Campaign created with {plural(campaign.itemCount, "review item")}; its Sync Context is frozen and recorded in the ledger.
            {campaign.status === "draft" ? " It is a draft: reviewers see it once it starts." : ""}
          </AlertDescription>
        </Alert>
      ) : null}

      <Card>
        <CardHeader>
          <CardTitle>{reviewer ? "Your progress" : "Progress"}</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-6">
          <DecidedBar decided={totals.decided} total={totals.total} label="Decided items" className="max-w-md" />
          <div className="grid gap-6 md:grid-cols-2">
            <ProgressChart
              title="By reviewer"
              rows={byReviewer.map((r) => ({ key: r.reviewerId, ...r }))}
              emptyText="No items are assigned."
            />
            <ProgressChart title="By integration" rows={byIntegration.map((r) => ({ key: r.integrationId, ...r }))} />
          </div>
          <ProgressLegend />
        </CardContent>
      </Card>

      <section aria-labelledby="decisions" className="grid gap-4">
        <h2 id="decisions" className="text-lg font-semibold">
          {reviewer ? "Your items" : "Decisions"}
        </h2>
        <FilterForm label="Decision filters" resetHref={base} className="lg:grid-cols-5">
          <ItemFilterFields
            values={filters}
            reviewers={reviewer ? null : byReviewer.map((r) => ({ id: r.reviewerId, name: r.name }))}
            integrations={summary.integrations}
          />
        </FilterForm>
        <FilterProblem message={problem?.message} />
        <DataTable<Item>
          label="Decisions"
          rows={page.items}
          rowKey={(i) => String(i.id)}
          empty="No items match these filters."
          detail={{ title: (i) => i.accountName ?? i.targetName ?? i.externalId, description: (i) => OBJECT_TYPE_LABELS[i.objectType] }}
          columns={[
            {
              id: "item",
              header: "Item",
              stacked: "title",
              className: "min-w-40 max-w-72 whitespace-normal",
              cell: (i) => (
                <>
                  <div className="break-words">
                    {i.objectType === "membership"
                      ? `${i.accountName ?? i.accountExternalId} in ${i.targetName ?? i.targetExternalId}`
                      : (i.accountName ?? i.targetName ?? i.externalId)}
                  </div>
                  <div className="truncate text-xs text-muted-foreground">
                    {OBJECT_TYPE_LABELS[i.objectType as ObjectType]}
                    {i.displayName ? ` · ${i.displayName}` : ""}
                  </div>
                </>
              ),
            },
            { id: "integration", header: "Integration", priority: "md", className: "max-w-48 truncate", cell: (i) => i.integrationName },
            {
              id: "reviewer",
              header: "Reviewer",
              priority: "lg",
              className: "max-w-48 truncate",
              cell: (i) => i.reviewerName ?? <span className="text-muted-foreground">None</span>,
            },
            {
              id: "decision",
              header: "Decision",
              cell: (i) =>
                i.decision ? (
                  <Badge variant={i.decision === "approve" ? "success" : "destructive"}>{REVIEW_DECISION_LABELS[i.decision]}</Badge>
                ) : (
                  <Badge variant="outline">Undecided</Badge>
                ),
            },
            {
              id: "decided",
              header: "Decided",
              priority: "xl",
              className: "text-xs text-muted-foreground whitespace-normal",
              cell: (i) => (i.decidedAt ? `${i.decidedByName ?? "—"} · ${formatDateTime(i.decidedAt)}` : "—"),
            },
            {
              id: "comment",
              header: "Comment",
              priority: "xl",
              className: "max-w-64 truncate text-muted-foreground",
              cell: (i) => i.comment ?? "—",
              full: (i) => <span className="whitespace-pre-wrap break-words">{i.comment ?? "—"}</span>,
            },
          ]}
        />
        <KeysetPager
          label="Decisions pagination"
          summary={`${plural(page.items.length, "item")} on this page (${ITEMS_PAGE_SIZE} per page)`}
          firstHref={sp.after ? `${base}${query(sp)}` : null}
          nextHref={page.next ? `${base}${query(sp, { after: String(page.next) })}` : null}
        />
      </section>

      <section aria-label="Sync evidence and report" className="flex flex-wrap items-center gap-2 border-t pt-6">
        <SyncEvidenceDialog campaignId={campaign.id} canDownload={can(ctx, "evidence:read")} load={syncContextAction} />
        {can(ctx, "campaigns:write") ? <ReportMenu campaignId={campaign.id} /> : null}
      </section>
    </div>
  );
}
