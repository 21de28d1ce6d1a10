import Link from "next/link";
import { Plus } from "lucide-react";
import { DataTable } from "@/components/data/data-table";
import { formatTime } from "@/components/integrations/sync-display";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import { formatCount } from "@/lib/format";
import { listBatches } from "@/lib/provisioning/batch";

export const metadata = { title: "Batches" };

type Batch = Awaited<ReturnType<typeof listBatches>>[number];

export default async function BatchesPage() {
  const ctx = await requirePageContext("provisioning:read", "/provisioning/batches");
  const batches = await listBatches(ctx);
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Batches"
        description={
          <>
            Batch provisioning: CSV files of operations, newest first. Their tasks are in the{" "}
            <Link href="/provisioning" className="text-primary underline-offset-4 hover:underline">
              Synchronization Logs
            </Link>
            .
          </>
        }
        actions={
          can(ctx, "provisioning:write") ? (
            <Button asChild>
              <Link href="/provisioning/batches/new">
                <Plus aria-hidden="true" /> New batch
              </Link>
            </Button>
          ) : null
        }
      />
      <DataTable<Batch>
        label="Batches"
        rows={batches}
        rowKey={(b) => b.id}
        rowClassName={() => "relative"}
        empty="No batches yet."
        columns={[
          {
            id: "file",
            header: "File",
            stacked: "title",
            className: "max-w-64 truncate font-medium",
            cell: (b) => (
              <Link href={`/provisioning/batches/${b.id}`} className="after:absolute after:inset-0 hover:underline">
                {b.fileName}
              </Link>
            ),
          },
          { id: "integration", header: "Integration", cell: (b) => b.integrationName },
          { id: "tasks", header: "Tasks", align: "right", cell: (b) => formatCount(b.taskCount) },
          { id: "refused", header: "Refused rows", align: "right", priority: "md", cell: (b) => formatCount(b.rows - b.taskCount) },
          { id: "by", header: "Uploaded by", priority: "lg", cell: (b) => b.createdByName },
          { id: "at", header: "Uploaded (UTC)", priority: "md", className: "font-mono text-xs", cell: (b) => formatTime(b.createdAt) },
        ]}
      />
    </div>
  );
}
