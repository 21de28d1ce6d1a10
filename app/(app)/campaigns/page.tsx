import Link from "next/link";
import { Plus } from "lucide-react";
import { CampaignStatusBadge, DecidedBar, DueDate } from "@/components/campaigns/campaign-display";
import { DataTable } from "@/components/data/data-table";
import { FilterProblem } from "@/components/data/filter-form";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { listCampaigns, ownItemsOnly } from "@/lib/campaigns/service";
import { formatDateTime, plural } from "@/lib/format";
import { withFilterProblem } from "@/lib/pages";

export const metadata = { title: "Campaigns" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 25;

type Row = Awaited<ReturnType<typeof listCampaigns>>["campaigns"][number];

export default async function CampaignsPage({ searchParams }: { searchParams: Promise<{ after?: string }> }) {
  const ctx = await requirePageContext("campaigns:read", "/campaigns");
  const { after } = await searchParams;
  const { value: page, problem } = await withFilterProblem(
    () => listCampaigns(ctx, { after, limit: PAGE_SIZE }),
    () => ({ campaigns: [], next: null }),
  );
  const canWrite = can(ctx, "campaigns:write");
  const reviewer = ownItemsOnly(ctx) !== null;

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Campaigns"
        description={
          reviewer
            ? "The access reviews with items assigned to you. Open your queue to approve or revoke them."
            : "Access reviews: each freezes the sync state of its integrations when it is created, and its reviewers approve or revoke every item."
        }
        actions={
          canWrite ? (
            <Button asChild>
              <Link href="/campaigns/new">
                <Plus aria-hidden="true" /> New campaign
              </Link>
            </Button>
          ) : null
        }
      />
      <FilterProblem message={problem?.message} />
      <DataTable<Row>
        label="Campaigns"
        rows={page.campaigns}
        rowKey={(c) => c.id}
        empty={
          reviewer ? "No campaign has items assigned to you." : `No campaigns yet.${canWrite ? " Start one with “New campaign”." : ""}`
        }
        detail={{ title: (c) => c.name }}
        columns={[
          {
            id: "name",
            header: "Name",
            stacked: "title",
            className: "min-w-40 max-w-80 font-medium whitespace-normal break-words",
            cell: (c) => (
              <Link href={`/campaigns/${c.id}`} className="hover:underline">
                {c.name}
              </Link>
            ),
          },
          { id: "status", header: "Status", cell: (c) => <CampaignStatusBadge status={c.status} /> },
          { id: "due", header: "Due", cell: (c) => <DueDate dueDate={c.dueDate} status={c.status} /> },
          {
            id: "progress",
            header: "Progress",
            priority: "md",
            cell: (c) => <DecidedBar decided={c.decided} total={c.itemCount} label={`Progress of ${c.name}`} />,
          },
          { id: "createdBy", header: "Created by", priority: "xl", className: "max-w-56 truncate", cell: (c) => c.createdByName },
          {
            id: "createdAt",
            header: "Created",
            priority: "lg",
            className: "font-mono text-xs text-muted-foreground",
            cell: (c) => formatDateTime(c.createdAt),
          },
          ...(reviewer
            ? [
                {
                  id: "queue",
                  header: "Your queue",
                  srOnlyHeader: true,
                  stacked: "actions" as const,
                  cell: (c: Row) =>
                    c.status === "active" ? (
                      <Button variant="outline" size="sm" asChild>
                        <Link href={`/campaigns/${c.id}/review`} aria-label={`Review my items in ${c.name}`}>
                          Review my items
                        </Link>
                      </Button>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
      <KeysetPager
        label="Campaigns pagination"
        summary={`${plural(page.campaigns.length, "campaign")} on this page`}
        firstHref={after ? "/campaigns" : null}
        nextHref={page.next ? `/campaigns?after=${page.next}` : null}
      />
    </div>
  );
}
