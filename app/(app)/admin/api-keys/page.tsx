import { ConfirmActionButton } from "@/components/forms/confirm-action-button";
import { PageHeader } from "@/components/shell/page-header";
import { RelatedLinks } from "@/components/shell/related-links";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/data/data-table";
import { TableCell, TableRow } from "@/components/ui/table";
import { apiKeyStatus, listApiKeys } from "@/lib/api-keys/service";
import { requirePageContext } from "@/lib/auth/session";
import { deleteApiKeyAction, revokeApiKeyAction } from "./actions";
import { CreateApiKeyForm } from "./create-api-key-form";

export const metadata = { title: "API Keys" };

const when = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) : "—");

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
          <DataTable
            label="API keys"
            columns={["Name", "Key", "Scopes", "Status", "Expires", "Last used", "Created", { label: "Actions", className: "text-right" }]}
            isEmpty={keys.length === 0}
            empty={<>No API keys yet.</>}
            framed={false}
          >
            {keys.map((k) => {
              const status = apiKeyStatus(k);
              return (
                <TableRow key={k.id}>
                  <TableCell className="font-medium">{k.name}</TableCell>
                  <TableCell className="font-mono text-xs">{k.prefix}…</TableCell>
                  <TableCell className="max-w-64">
                    <div className="flex flex-wrap gap-1">
                      {k.scopes.map((s) => (
                        <Badge key={s} variant="outline" className="font-mono text-[11px]">
                          {s}
                        </Badge>
                      ))}
                    </div>
                  </TableCell>
                  <TableCell>
                    <Badge variant={status === "active" ? "success" : status === "expired" ? "warning" : "destructive"}>{status}</Badge>
                  </TableCell>
                  <TableCell className="text-xs">{when(k.expiresAt)}</TableCell>
                  <TableCell className="text-xs">{when(k.lastUsedAt)}</TableCell>
                  <TableCell className="text-xs">
                    {when(k.createdAt)}
                    <div className="text-muted-foreground">{k.createdByName}</div>
                  </TableCell>
                  <TableCell>
                    <div className="flex justify-end gap-2">
                      {status === "active" ? (
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
                  </TableCell>
                </TableRow>
              );
            })}
          </DataTable>
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
