import Link from "next/link";
import { DataTable } from "@/components/data/data-table";
import { FilterField, FilterForm, FilterProblem } from "@/components/data/filter-form";
import { NewAccountButton, ProvisioningOffNote } from "@/components/provisioning/account-operations";
import { IntegrationSubnav } from "@/components/provisioning/account-subnav";
import { PageHeader } from "@/components/shell/page-header";
import { Input } from "@/components/ui/input";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { plural } from "@/lib/format";
import { ACCOUNT_PAGE_SIZE } from "@/lib/identities/schemas";
import { listAccounts, listGroups, type AccountListItem } from "@/lib/identities/service";
import { filterQuery, orNotFound, withFilterProblem } from "@/lib/pages";
import { getProvisioningSettings } from "@/lib/provisioning/service";
import { manualOperationAction } from "./actions";

export const metadata = { title: "Accounts" };

type Params = { q?: string; after?: string };

export default async function AccountsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Params> }) {
  const { id } = await params;
  const sp = await searchParams;
  const path = `/integrations/${id}/accounts`;
  const ctx = await requirePageContext("integrations:read", path);
  const { value: page, problem } = await orNotFound(
    withFilterProblem(
      () => listAccounts(ctx, id, { q: sp.q, after: sp.after }),
      () => listAccounts(ctx, id, {}),
    ),
  );
  const canProvision = can(ctx, "provisioning:write");
  const settings = can(ctx, "provisioning:read") ? await getProvisioningSettings(ctx, id) : null;
  const groups = canProvision && settings?.enabled ? await listGroups(ctx, id) : [];
  const accountHref = (a: AccountListItem) => `${path}/${encodeURIComponent(a.externalId)}`;
  const query = { q: sp.q };

  return (
    <div className="grid gap-6">
      <IntegrationSubnav ctx={ctx} integrationId={id} current="accounts" />
      <PageHeader
        className="mb-0"
        title={`Accounts: ${page.integration.name}`}
        description="The accounts of this application as SyncLedger currently sees them: the last applied sync and the changes provisioning made since."
        actions={
          canProvision && settings?.enabled ? (
            <NewAccountButton
              integrationId={id}
              groups={groups.map((g) => ({ externalId: g.externalId, name: g.name }))}
              action={manualOperationAction}
            />
          ) : null
        }
      />
      {canProvision && settings && !settings.enabled ? <ProvisioningOffNote integrationId={id} canConfigure /> : null}
      <FilterForm resetHref={path} label="Search accounts">
        <FilterField label="Search" htmlFor="q">
          <Input id="q" name="q" defaultValue={sp.q ?? ""} placeholder="Username, email, name or id" />
        </FilterField>
      </FilterForm>
      <FilterProblem message={problem?.message} />
      <DataTable<AccountListItem>
        label="Accounts"
        rows={page.items}
        rowKey={(a) => a.externalId}
        rowClassName={() => "relative"}
        empty={sp.q ? "No account matches the search." : "No accounts yet: they appear after the integration's first applied sync."}
        detail={{ title: (a) => a.fields.username ?? a.externalId }}
        columns={[
          {
            id: "username",
            header: "Username",
            stacked: "title",
            className: "font-medium",
            cell: (a) => (
              <Link href={accountHref(a)} className="after:absolute after:inset-0 hover:underline">
                {a.fields.username ?? <span className="text-muted-foreground">(no username)</span>}
              </Link>
            ),
            full: (a) => (
              <Link href={accountHref(a)} className="underline-offset-4 hover:underline">
                {a.fields.username ?? a.externalId}
              </Link>
            ),
          },
          { id: "displayName", header: "Display name", cell: (a) => a.fields.displayName ?? "—" },
          { id: "email", header: "Email", priority: "md", className: "max-w-64 truncate", cell: (a) => a.fields.email ?? "—" },
          { id: "status", header: "Status", priority: "lg", cell: (a) => a.fields.status ?? "—" },
          {
            id: "externalId",
            header: "External id",
            priority: "xl",
            className: "max-w-56 truncate font-mono text-xs",
            cell: (a) => <span title={a.externalId}>{a.externalId}</span>,
            full: (a) => <span className="break-all font-mono text-xs">{a.externalId}</span>,
          },
        ]}
      />
      <KeysetPager
        summary={`${plural(page.items.length, "account")} on this page (${ACCOUNT_PAGE_SIZE} per page)`}
        firstHref={sp.after ? `${path}${filterQuery(["q"], query)}` : null}
        nextHref={page.next ? `${path}${filterQuery(["q"], query, { after: page.next })}` : null}
      />
    </div>
  );
}
