import Link from "next/link";
import { ChevronLeft, Download, FileArchive, ShieldAlert, ShieldCheck, ShieldQuestion } from "lucide-react";
import { NotesView } from "@/components/evidence/notes-view";
import { formatTime } from "@/components/integrations/sync-display";
import { PageHeader } from "@/components/shell/page-header";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requirePageContext } from "@/lib/auth/session";
import { orNotFound } from "@/lib/pages";
import { getEvidenceForSync } from "@/lib/evidence/service";
import { verifyEvidenceRecord, type EvidenceVerification } from "@/lib/ledger/service";
import { getSync } from "@/lib/syncs/service";
import { formatBytes } from "@/lib/format";

export const metadata = { title: "Audit Evidence" };

/** The Audit Evidence panel of one sync: who attached it, the notes, each file, and its ledger verification. */
export default async function EvidencePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await requirePageContext("evidence:read", `/syncs/${id}/evidence`);
  const sync = await orNotFound(getSync(ctx, id));
  const evidence = await getEvidenceForSync(ctx, sync.id);
  const verification = evidence ? await verifyEvidenceRecord(ctx, evidence.id) : null;

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
        actions={
          evidence ? (
            <Button variant="outline" size="sm" asChild>
              <a href={`/api/evidence/${evidence.id}/proof`} download>
                <FileArchive aria-hidden="true" /> Download proof bundle
              </a>
            </Button>
          ) : null
        }
      />
      {!evidence ? (
        <Alert>
          <AlertTitle>No evidence for this sync</AlertTitle>
          <AlertDescription>
            Evidence is attached when an integration is saved with notes or files; that save starts the sync the evidence belongs to.
          </AlertDescription>
        </Alert>
      ) : (
        <>
          <VerificationBadge verification={verification!} />
          <Card>
            <CardHeader>
              <CardTitle>Notes</CardTitle>
              <CardDescription>
                Added by {evidence.createdByName} on {formatTime(new Date(evidence.createdAt))} UTC
              </CardDescription>
            </CardHeader>
            <CardContent>
              {evidence.notesHtml ? <NotesView html={evidence.notesHtml} /> : <p className="text-sm text-muted-foreground">No notes.</p>}
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Files</CardTitle>
              <CardDescription>Each download is a signed link valid for 5 minutes, and is recorded in the audit log.</CardDescription>
            </CardHeader>
            <CardContent>
              {evidence.files.length === 0 ? (
                <p className="text-sm text-muted-foreground">No files.</p>
              ) : (
                <Table aria-label="Evidence files">
                  <TableHeader>
                    <TableRow>
                      <TableHead>Name</TableHead>
                      <TableHead>Type</TableHead>
                      <TableHead className="text-right">Size</TableHead>
                      <TableHead>SHA-256</TableHead>
                      <TableHead className="sr-only">Download</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {evidence.files.map((f) => (
                      <TableRow key={f.id}>
                        <TableCell className="font-medium">{f.name}</TableCell>
                        <TableCell className="text-muted-foreground">{f.contentType}</TableCell>
                        <TableCell className="text-right tabular-nums">{formatBytes(f.size)}</TableCell>
                        <TableCell>
                          <code className="break-all font-mono text-xs">{f.sha256}</code>
                        </TableCell>
                        <TableCell>
                          <Button variant="outline" size="sm" asChild>
                            <a href={`/api/evidence/files/${f.id}`} aria-label={`Download ${f.name}`}>
                              <Download aria-hidden="true" /> Download
                            </a>
                          </Button>
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </CardContent>
          </Card>
        </>
      )}
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
        Ledger entry {verification.seq}, included in the checkpoint of tree size {verification.treeSize} signed by key {verification.keyId};
        every file matches its SHA-256.
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
