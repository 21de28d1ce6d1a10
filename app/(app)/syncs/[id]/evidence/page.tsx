import Link from "next/link";
import { ChevronLeft } from "lucide-react";
import { EvidencePanel } from "@/components/evidence/evidence-panel";
import { formatTime } from "@/components/integrations/sync-display";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardContent } from "@/components/ui/card";
import { requirePageContext } from "@/lib/auth/session";
import { orNotFound } from "@/lib/pages";
import { getSync } from "@/lib/syncs/service";

export const metadata = { title: "Audit Evidence" };

/** The Audit Evidence of one sync as a page of its own; Sync History opens the same panel over itself. */
export default async function EvidencePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await requirePageContext("evidence:read", `/syncs/${id}/evidence`);
  const sync = await orNotFound(getSync(ctx, id));

  return (
    <div className="grid gap-6">
      <div>
        <Link
          href={`/integrations/${sync.integrationId}/syncs`}
          className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground"
        >
          <ChevronLeft aria-hidden="true" className="size-4" /> Sync History
        </Link>
      </div>
      <PageHeader
        className="mb-0"
        title="Audit Evidence"
        description={`Sync started ${formatTime(sync.startedAt ?? sync.queuedAt)} UTC · sync ${sync.id}`}
      />
      <Card>
        <CardContent>
          <EvidencePanel ctx={ctx} syncId={sync.id} />
        </CardContent>
      </Card>
    </div>
  );
}
