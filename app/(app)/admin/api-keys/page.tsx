import { ConfirmActionButton } from "@/components/forms/confirm-action-button";
import { PageHeader } from "@/components/shell/page-header";
import { RelatedLinks } from "@/components/shell/related-links";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/data/data-table";
import { apiKeyStatus, listApiKeys } from "@/lib/api-keys/service";
import { requirePageContext } from "@/lib/auth/session";
import { deleteApiKeyAction, revokeApiKeyAction } from "./actions";
import { CreateApiKeyForm } from "./create-api-key-form";
import { formatDateTime } from "@/lib/format";

export const metadata = { title: "API Keys" };

type ApiKey = Awaited<ReturnType<typeof listApiKeys>>[number];

export default async function ApiKeysPage() {
  const ctx = await requirePageContext("api_keys:read", "/admin/api-keys");
  const keys = await listApiKeys(ctx);
  return (
    <div className="grid gap-6">
      <PageHeader
        title="API Keys"
        meta={<RelatedLinks ctx={ctx} current="/admin/api-keys" />}
        description="Keys let automation call /api/v1 as this tenant, limited to their scopes. Every use is attributed to the key in the Audit Log."
      />
      <Card>
        <CardHeader>
          <CardTitle>Keys</CardTitle>
        </CardHeader>
        <CardContent>
          <DataTable<ApiKey>
            label="API keys"
            framed={false}
            rows={keys}
            rowKey={(k) => k.id}
            empty={<>No API keys yet.</>}
            detail={{ title: (k) => k.name }}
            columns={[
              { id: "name", header: "Name", className: "max-w-48 truncate font-medium", stacked: "title", cell: (k) => k.name },
              { id: "key", header: "Key", priority: "lg", className: "font-mono text-xs", cell: (k) => `${k.prefix}…` },
              {
                id: "scopes",
                header: "Scopes",
                priority: "xl",
                className: "max-w-64 whitespace-normal",
                cell: (k) => (
                  <div className="flex flex-wrap gap-1">
                    {k.scopes.map((s) => (
                      <Badge key={s} variant="outline" className="font-mono text-[11px]">
                        {s}
                      </Badge>
                    ))}
                  </div>
                ),
              },
              {
                id: "status",
                header: "Status",
                cell: (k) => {
                  const status = apiKeyStatus(k);
                  return (
                    <Badge variant={status === "active" ? "success" : status === "expired" ? "warning" : "destructive"}>{status}</Badge>
                  );
                },
              },
              { id: "expires", header: "Expires", priority: "2xl", className: "text-xs", cell: (k) => formatDateTime(k.expiresAt) },
              { id: "lastUsed", header: "Last used", priority: "md", className: "text-xs", cell: (k) => formatDateTime(k.lastUsedAt) },
              {
                id: "created",
                header: "Created",
                priority: "2xl",
                className: "text-xs",
                cell: (k) => (
                  <>
                    {formatDateTime(k.createdAt)}
                    <div className="text-muted-foreground">{k.createdByName}</div>
                  </>
                ),
              },
              {
                id: "actions",
                header: "Actions",
                srOnlyHeader: true,
                stacked: "actions",
                cell: (k) => (
                  <div className="flex gap-2 sm:justify-end">
                    {apiKeyStatus(k) === "active" ? (
                      <ConfirmActionButton
                        action={revokeApiKeyAction}
                        fields={{ id: k.id }}
                        confirm={`Revoke “${k.name}”? Calls with it will fail at once.`}
                        variant="outline"
                        aria-label={`Revoke ${k.name}`}
                      >
                        Revoke
                      </ConfirmActionButton>
                    ) : null}
                    <ConfirmActionButton
                      action={deleteApiKeyAction}
                      fields={{ id: k.id }}
                      confirm={`Delete “${k.name}”? This cannot be undone.`}
                      variant="destructive"
                      aria-label={`Delete ${k.name}`}
                    >
                      Delete
                    </ConfirmActionButton>
                  </div>
                ),
              },
            ]}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>New API key</CardTitle>
          <CardDescription>The secret is shown once; only a hash of it is stored.</CardDescription>
        </CardHeader>
        <CardContent>
          <CreateApiKeyForm />
        </CardContent>
      </Card>
    </div>
  );
}
