/**
 * The Audit Evidence of one sync: who attached it, the notes, each file, and
 * its ledger verification. Sync History opens it in a panel (?evidence=); it
 * is also a page of its own. Server-only: it reads the evidence and verifies it.
 */
import "server-only";
import { Download, FileArchive, ShieldAlert, ShieldCheck, ShieldQuestion } from "lucide-react";
import { NotesView } from "@/components/evidence/notes-view";
import { formatTime } from "@/components/integrations/sync-display";
import { DataTable } from "@/components/data/data-table";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import type { ServiceContext } from "@/lib/auth/context";
import { getEvidenceForSync, type EvidenceView } from "@/lib/evidence/service";
import { verifyEvidenceRecord, type EvidenceVerification } from "@/lib/ledger/service";
import { formatBytes } from "@/lib/format";

type EvidenceFile = EvidenceView["files"][number];

export async function EvidencePanel({ ctx, syncId }: { ctx: ServiceContext; syncId: string }) {
  const evidence = await getEvidenceForSync(ctx, syncId);
  const verification = evidence ? await verifyEvidenceRecord(ctx, evidence.id) : null;
  if (!evidence) {
    return (
      <Alert>
        <AlertTitle>No evidence for this sync</AlertTitle>
        <AlertDescription>
          Evidence is attached when an integration is saved with notes or files; that save starts the sync the evidence belongs to.
        </AlertDescription>
      </Alert>
    );
  }
  return (
    <div className="grid gap-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <VerificationBadge verification={verification!} />
        <Button variant="outline" size="sm" asChild>
          <a href={`/api/evidence/${evidence.id}/proof`} download>
            <FileArchive aria-hidden="true" /> Download proof bundle
          </a>
        </Button>
      </div>
      <section aria-labelledby="evidence-notes" className="grid gap-2">
        <h2 id="evidence-notes" className="font-semibold">
          Notes
        </h2>
        <p className="text-sm text-muted-foreground">
          Added by {evidence.createdByName} on {formatTime(new Date(evidence.createdAt))} UTC
        </p>
        {evidence.notesHtml ? <NotesView html={evidence.notesHtml} /> : <p className="text-sm text-muted-foreground">No notes.</p>}
      </section>
      <section aria-labelledby="evidence-files" className="grid gap-2">
        <h2 id="evidence-files" className="font-semibold">
          Files
        </h2>
        <p className="text-sm text-muted-foreground">
          Each download is a signed link valid for 5 minutes, and is recorded in the audit log.
        </p>
        {evidence.files.length === 0 ? (
          <p className="text-sm text-muted-foreground">No files.</p>
        ) : (
          <DataTable<EvidenceFile>
            label="Evidence files"
            rows={evidence.files}
            rowKey={(f) => f.id}
            empty={null}
            columns={[
              {
                id: "name",
                header: "Name",
                className: "max-w-48 whitespace-normal break-words font-medium",
                cell: (f) => f.name,
                stacked: "title",
              },
              { id: "type", header: "Type", priority: "xl", className: "text-muted-foreground", cell: (f) => f.contentType },
              { id: "size", header: "Size", align: "right", cell: (f) => formatBytes(f.size) },
              {
                id: "sha256",
                header: "SHA-256",
                priority: "xl",
                className: "max-w-40 truncate font-mono text-xs",
                cell: (f) => <code title={f.sha256}>{f.sha256}</code>,
                full: (f) => <code className="break-all font-mono text-xs">{f.sha256}</code>,
              },
              {
                id: "download",
                header: "Download",
                srOnlyHeader: true,
                stacked: "actions",
                cell: (f) => (
                  <Button variant="outline" size="sm" asChild>
                    <a href={`/api/evidence/files/${f.id}`} aria-label={`Download ${f.name}`}>
                      <Download aria-hidden="true" /> Download
                    </a>
                  </Button>
                ),
              },
            ]}
            detail={{ title: (f) => f.name }}
          />
        )}
      </section>
    </div>
  );
}

function VerificationBadge({ verification }: { verification: EvidenceVerification }) {
  if (verification.status === "verified") {
    return (
      <p className="flex items-center gap-2 text-sm" role="status">
        <Badge variant="success">
          <ShieldCheck aria-hidden="true" /> Verified
        </Badge>
        Ledger entry {verification.seq}, included in the checkpoint of tree size {verification.treeSize} signed by key {verification.keyId}.
        Every file matches its SHA-256.
      </p>
    );
  }
  if (verification.status === "pending") {
    return (
      <p className="flex items-center gap-2 text-sm" role="status">
        <Badge variant="secondary">
          <ShieldQuestion aria-hidden="true" /> Pending
        </Badge>
        {verification.reason}
      </p>
    );
  }
  return (
    <Alert variant="destructive">
      <ShieldAlert aria-hidden="true" />
      <AlertTitle>Not verified{verification.seq ? ` (ledger entry ${verification.seq})` : ""}</AlertTitle>
      <AlertDescription>
        <ul className="list-disc pl-5">
          {verification.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      </AlertDescription>
    </Alert>
  );
}
