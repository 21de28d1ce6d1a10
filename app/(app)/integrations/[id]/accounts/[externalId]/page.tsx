import Link from "next/link";
import { DataTable } from "@/components/data/data-table";
import { formatTime } from "@/components/integrations/sync-display";
import { AccountOperations, ProvisioningOffNote, RevokeMembershipButton } from "@/components/provisioning/account-operations";
import { taskHref } from "@/components/provisioning/account-links";
import { IntegrationSubnav } from "@/components/provisioning/account-subnav";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { CANONICAL_FIELDS, PROVISIONING_ACTION_LABELS, PROVISIONING_STATUS_LABELS, type ProvisioningAction } from "@/lib/domain/enums";
import { fieldLabel } from "@/lib/validation";
import { getAccount, listGroups, type AccountView } from "@/lib/identities/service";
import { orNotFound } from "@/lib/pages";
import { getProvisioningSettings } from "@/lib/provisioning/service";
import { manualOperationAction } from "../actions";

export const metadata = { title: "Account" };

type Membership = AccountView["memberships"][number];
type Task = NonNullable<AccountView["tasks"]>[number];

/** Next hands the segment over still percent-encoded in some cases; an id with a literal "%" stays as it is. */
function segment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const STATUS_VARIANT: Record<string, "success" | "destructive" | "warning" | "outline" | "secondary"> = {
  success: "success",
  confirmed: "success",
  failed: "destructive",
  no_callback: "destructive",
  pending: "secondary",
  running: "warning",
};

export default async function AccountPage({ params }: { params: Promise<{ id: string; externalId: string }> }) {
  const { id, externalId: raw } = await params;
  const externalId = segment(raw);
  const path = `/integrations/${id}/accounts/${encodeURIComponent(externalId)}`;
  const ctx = await requirePageContext("integrations:read", path);
  const view = await orNotFound(getAccount(ctx, id, externalId));
  const { account, memberships, tasks, integration } = view;
  const canProvision = can(ctx, "provisioning:write");
  const settings = can(ctx, "provisioning:read") ? await getProvisioningSettings(ctx, id) : null;
  const live = canProvision && !!settings?.enabled;
  const groups = live ? await listGroups(ctx, id) : [];
  const ref = { username: account.username, externalId: account.externalId };
  const supported: ProvisioningAction[] | null =
    settings?.mode === "connector" && settings.actions
      ? [...(settings.actions.account ?? []), ...(settings.actions.membership ?? [])]
      : null;
  const fieldNames = [...new Set([...CANONICAL_FIELDS.account, ...Object.keys(account.fields)])].filter((f) => f !== "externalId");
  const memberOf = new Set(memberships.map((m) => m.groupExternalId));

  return (
    <div className="grid gap-6">
      <IntegrationSubnav ctx={ctx} integrationId={id} current="accounts" />
      <PageHeader
        className="mb-0"
        title={account.username}
        description={
          <>
            An account of{" "}
            <Link href={`/integrations/${id}/accounts`} className="text-primary underline-offset-4 hover:underline">
              {integration.name}
            </Link>{" "}
            as SyncLedger currently sees it.
          </>
        }
      />

      {canProvision ? (
        <Card className="min-w-0">
          <CardHeader>
            <CardTitle>Manual Operations</CardTitle>
            <CardDescription>
              Each operation is queued as a provisioning task and carried out in order with the others on this account.
            </CardDescription>
          </CardHeader>
          <CardContent>
            {live ? (
              <AccountOperations
                integrationId={id}
                account={ref}
                fields={account.fields}
                groups={groups.filter((g) => !memberOf.has(g.externalId)).map((g) => ({ externalId: g.externalId, name: g.name }))}
                actions={supported}
                action={manualOperationAction}
              />
            ) : (
              <ProvisioningOffNote integrationId={id} canConfigure />
            )}
          </CardContent>
        </Card>
      ) : null}

      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>Fields</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-[12rem_1fr]">
            <div className="grid gap-0.5 sm:contents">
              <dt className="text-sm text-muted-foreground">External id</dt>
              <dd className="break-all font-mono text-sm">{account.externalId}</dd>
            </div>
            {fieldNames.map((f) => (
              <div key={f} className="grid gap-0.5 sm:contents">
                <dt className="text-sm text-muted-foreground">{fieldLabel(f)}</dt>
                <dd className="break-words text-sm">{account.fields[f] ?? <span className="text-muted-foreground">—</span>}</dd>
              </div>
            ))}
          </dl>
        </CardContent>
      </Card>

      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>Group memberships</CardTitle>
          <CardDescription>From the current state of the integration.</CardDescription>
        </CardHeader>
        <CardContent>
          <DataTable<Membership>
            label="Group memberships"
            framed={false}
            rows={memberships}
            rowKey={(m) => m.groupExternalId}
            empty="Not a member of any group."
            columns={[
              { id: "group", header: "Group", stacked: "title", className: "font-medium", cell: (m) => m.groupName ?? m.groupExternalId },
              {
                id: "externalId",
                header: "Group id",
                priority: "md",
                className: "max-w-72 truncate font-mono text-xs",
                cell: (m) => <span title={m.groupExternalId}>{m.groupExternalId}</span>,
              },
              ...(live
                ? [
                    {
                      id: "actions",
                      header: "Actions",
                      srOnlyHeader: true,
                      stacked: "actions" as const,
                      cell: (m: Membership) => (
                        <div className="flex sm:justify-end">
                          <RevokeMembershipButton
                            integrationId={id}
                            account={ref}
                            group={{ externalId: m.groupExternalId, name: m.groupName }}
                            action={manualOperationAction}
                          />
                        </div>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        </CardContent>
      </Card>

      {tasks ? (
        <Card className="min-w-0">
          <CardHeader>
            <CardTitle>Provisioning tasks</CardTitle>
            <CardDescription>
              The newest operations on this account and its memberships.{" "}
              <Link
                href={`/provisioning?${new URLSearchParams({ integrationId: id, q: account.username })}`}
                className="text-primary underline-offset-4 hover:underline"
              >
                All in the Synchronization Logs
              </Link>
            </CardDescription>
          </CardHeader>
          <CardContent>
            <DataTable<Task>
              label="Provisioning tasks"
              framed={false}
              rows={tasks}
              rowKey={(t) => t.id}
              empty="No provisioning task on this account yet."
              columns={[
                {
                  id: "time",
                  header: "Queued (UTC)",
                  stacked: "title",
                  className: "font-mono text-xs",
                  cell: (t) => (
                    <Link href={taskHref(t.id)} className="hover:underline">
                      {formatTime(t.createdAt)}
                    </Link>
                  ),
                },
                { id: "action", header: "Action", cell: (t) => PROVISIONING_ACTION_LABELS[t.action] },
                { id: "object", header: "Object", priority: "md", className: "max-w-64 truncate", cell: (t) => t.objectName },
                {
                  id: "status",
                  header: "Status",
                  cell: (t) => <Badge variant={STATUS_VARIANT[t.status] ?? "outline"}>{PROVISIONING_STATUS_LABELS[t.status]}</Badge>,
                },
                { id: "by", header: "Initiated by", priority: "lg", className: "max-w-48 truncate", cell: (t) => t.initiatorName },
              ]}
            />
          </CardContent>
        </Card>
      ) : null}
    </div>
  );
}
