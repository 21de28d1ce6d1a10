import Link from "next/link";
import { ChevronLeft } from "lucide-react";
import { BatchUploadForm } from "@/components/provisioning/batch-upload-form";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requirePageContext } from "@/lib/auth/session";
import { batchTargets } from "@/lib/provisioning/batch";
import { BATCH_COLUMNS, BATCH_TEMPLATE, MAX_BATCH_ROWS } from "@/lib/provisioning/batch-format";
import { createBatchAction } from "../actions";

export const metadata = { title: "New batch" };

export default async function NewBatchPage({ searchParams }: { searchParams: Promise<{ integrationId?: string }> }) {
  const sp = await searchParams;
  const ctx = await requirePageContext("provisioning:write", "/provisioning/batches/new");
  const targets = await batchTargets(ctx);

  return (
    <div className="grid gap-6">
      <div>
        <Link href="/provisioning/batches" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
          <ChevronLeft aria-hidden="true" className="size-4" /> Batches
        </Link>
      </div>
      <PageHeader
        className="mb-0"
        title="New batch"
        description="Batch provisioning: upload a CSV of operations for one integration. Each good row becomes one task; rows that cannot be used are reported by line and nothing is sent for them."
      />
      <Card className="min-w-0">
        <CardContent>
          <BatchUploadForm
            integrations={targets}
            defaultIntegrationId={targets.find((t) => t.id === sp.integrationId && t.enabled)?.id}
            action={createBatchAction}
          />
        </CardContent>
      </Card>
      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>The file</CardTitle>
          <CardDescription>
            One operation per row, at most {MAX_BATCH_ROWS.toLocaleString("en")} rows. Columns: {BATCH_COLUMNS.join(", ")}. Only{" "}
            <code>action</code> and <code>username</code> are required in the header.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3 text-sm">
          <ul className="list-disc space-y-1 pl-5 text-muted-foreground">
            <li>
              <code>action</code>: create, update, delete, enable, disable, grant or revoke.
            </li>
            <li>
              <code>external_id</code>: the account's id on the application, when known (not for create).
            </li>
            <li>
              <code>group</code> and <code>group_name</code>: the group's id and name, for grant and revoke.
            </li>
            <li>The account fields (email … department) are written by create and update.</li>
            <li>
              <code>expires_at</code>: a grant's expiry, a date (2027-01-31, UTC) or a date and time with its offset.
            </li>
          </ul>
          <pre className="overflow-x-auto rounded-md border bg-muted/40 p-3 font-mono text-xs">{BATCH_TEMPLATE}</pre>
        </CardContent>
      </Card>
    </div>
  );
}
