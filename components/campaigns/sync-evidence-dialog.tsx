"use client";

/**
 * View Sync Evidence: the read-only "Sync Evidence & Details at Campaign
 * Creation" dialog. It shows the Sync Context as the campaign froze it — the
 * filter it was created from, and per integration the sync it captured, that
 * sync's evidence notes and files — and, beside the snapshot, whether the
 * integration has synced since and how its counts differ now. Loaded when
 * opened; full-screen on a phone.
 */
import { useState, useTransition } from "react";
import { ChevronDown, Download, FileWarning, FileSearch } from "lucide-react";
import { NotesView } from "@/components/evidence/notes-view";
import { IntegrationLogo } from "@/components/integrations/integration-logo";
import { SyncStatusBadge } from "@/components/integrations/sync-display";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";
import type { ActionResult } from "@/lib/actions";
import { OBJECT_TYPE_LABELS, type ObjectType } from "@/lib/domain/enums";
import { formatBytes, formatCount, formatDateTime, plural } from "@/lib/format";
import { cn } from "@/lib/utils";
import { JsonViewer } from "./json-viewer";

export type SyncEvidenceFile = {
  name: string;
  size: number;
  contentType: string;
  sha256: string;
  index: number;
  inStorage: boolean;
};

export type SyncEvidenceCard = {
  position: number;
  integrationId: string;
  integrationName: string;
  connector: string;
  hasLogo: boolean;
  logoSha256: string | null;
  syncExecutionId: string;
  syncStatus: string;
  syncStartedAt: string | null;
  syncEndedAt: string | null;
  syncMessage: string | null;
  evidenceNotesHtml: string | null;
  evidenceCreatedByName: string | null;
  evidenceCreatedAt: string | null;
  evidenceFiles: SyncEvidenceFile[];
  itemCount: number;
  syncedSince: { id: string; endedAt: string | null } | null;
  countChanges: { type: string; atCreation: number; latest: number; change: number }[];
};

export type SyncEvidence = {
  campaign: { id: string; name: string; filter: unknown; snapshotHash: string };
  cards: SyncEvidenceCard[];
};

export function SyncEvidenceDialog({
  campaignId,
  canDownload,
  load,
}: {
  campaignId: string;
  /** Evidence downloads need evidence:read; without it the files are listed, not linked. */
  canDownload: boolean;
  load: (campaignId: string) => Promise<ActionResult<SyncEvidence>>;
}) {
  const [result, setResult] = useState<ActionResult<SyncEvidence> | null>(null);
  const [loading, startLoading] = useTransition();

  function onOpenChange(open: boolean) {
    if (open && !result?.ok)
      startLoading(async () => {
        setResult(
          await load(campaignId).catch(
            (): ActionResult<SyncEvidence> => ({
              ok: false,
              code: "internal",
              message: "The Sync Context could not be loaded; try again.",
            }),
          ),
        );
      });
  }

  return (
    <Dialog onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button variant="outline">
          <FileSearch aria-hidden="true" /> View Sync Evidence
        </Button>
      </DialogTrigger>
      <DialogContent
        className={cn(
          "flex h-dvh max-h-dvh w-full max-w-none flex-col gap-4 rounded-none p-4",
          "sm:h-auto sm:max-h-[calc(100dvh-4rem)] sm:max-w-3xl sm:rounded-lg sm:p-6",
        )}
      >
        <DialogHeader className="pr-8">
          <DialogTitle>Sync Evidence &amp; Details at Campaign Creation</DialogTitle>
          <DialogDescription>
            A read-only record of what this campaign was built from: the sync each integration had completed when the campaign was created,
            with its evidence. It does not change when the integrations sync again.
          </DialogDescription>
        </DialogHeader>
        <div className="-mx-4 grid min-h-0 flex-1 content-start gap-5 overflow-y-auto px-4 sm:-mx-6 sm:px-6">
          {loading || !result ? (
            <div className="grid gap-3" aria-busy="true">
              <span className="sr-only" role="status">
                Loading the Sync Context…
              </span>
              <Skeleton className="h-24 w-full" />
              <Skeleton className="h-16 w-full" />
              <Skeleton className="h-16 w-full" />
            </div>
          ) : !result.ok ? (
            <Alert variant="destructive">
              <AlertDescription>{result.message}</AlertDescription>
            </Alert>
          ) : (
            <SyncEvidenceBody data={result.data} canDownload={canDownload} />
          )}
        </div>
      </DialogContent>
    </Dialog>
  );
}

/** The filter's keys in the order the form asks for them (jsonb keeps its own order). */
function inFilterOrder(filter: unknown): unknown {
  if (!filter || typeof filter !== "object") return filter;
  const f = filter as Record<string, unknown>;
  const order = ["integrationIds", "entityTypes", "groups", "conditions"];
  return Object.fromEntries([...order.filter((k) => k in f), ...Object.keys(f).filter((k) => !order.includes(k))].map((k) => [k, f[k]]));
}

function SyncEvidenceBody({ data, canDownload }: { data: SyncEvidence; canDownload: boolean }) {
  const notes = Object.fromEntries(data.cards.map((c) => [c.integrationId, c.integrationName]));
  return (
    <>
      <section aria-labelledby="creation-filter" className="grid gap-2">
        <h3 id="creation-filter" className="text-sm font-semibold">
          Campaign Creation Filter
        </h3>
        <JsonViewer value={inFilterOrder(data.campaign.filter)} label="filter" notes={notes} defaultExpandedDepth={1} />
        <p className="text-xs break-all text-muted-foreground">
          Sync Context SHA-256 (recorded in the ledger): <span className="font-mono">{data.campaign.snapshotHash}</span>
        </p>
      </section>
      <section aria-labelledby="integration-cards" className="grid gap-3">
        <h3 id="integration-cards" className="text-sm font-semibold">
          Integrations ({data.cards.length})
        </h3>
        <ul className="grid gap-3">
          {data.cards.map((card) => (
            <li key={card.position}>
              <IntegrationCard campaignId={data.campaign.id} card={card} canDownload={canDownload} />
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function IntegrationCard({ campaignId, card, canDownload }: { campaignId: string; card: SyncEvidenceCard; canDownload: boolean }) {
  const [open, setOpen] = useState(false);
  const regionId = `sync-card-${card.position}`;
  return (
    <div className="rounded-lg border bg-card" data-testid="sync-context-card">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={regionId}
        onClick={() => setOpen(!open)}
        className="flex w-full min-w-0 items-center gap-3 rounded-lg p-3 text-left hover:bg-accent/50 focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
      >
        <IntegrationLogo
          name={card.integrationName}
          src={card.hasLogo ? `/api/campaigns/${campaignId}/logos/${card.position}` : null}
          size={28}
        />
        <span className="grid min-w-0 flex-1 gap-0.5">
          <span className="truncate font-medium">{card.integrationName}</span>
          <span className="text-xs text-muted-foreground">
            {plural(card.itemCount, "review item")} · sync ended {formatDateTime(card.syncEndedAt)}
          </span>
        </span>
        <SyncStatusBadge status={card.syncStatus} className="hidden sm:inline-flex" />
        <ChevronDown aria-hidden="true" className={cn("size-4 shrink-0 transition-transform", open && "rotate-180")} />
      </button>
      {open ? (
        <section id={regionId} aria-label={`${card.integrationName} at campaign creation`} className="grid gap-4 border-t p-3 text-sm">
          <dl className="grid gap-x-4 gap-y-2 sm:grid-cols-[auto_minmax(0,1fr)]">
            <Term label="Integration">
              {card.integrationName} <span className="text-muted-foreground">({card.connector})</span>
            </Term>
            <Term label="Sync status at creation">
              <SyncStatusBadge status={card.syncStatus} />
            </Term>
            <Term label="Sync started">{formatDateTime(card.syncStartedAt)}</Term>
            <Term label="Sync ended">{formatDateTime(card.syncEndedAt)}</Term>
            <Term label="Status message">{card.syncMessage || <span className="text-muted-foreground">None</span>}</Term>
            <Term label="Sync id">
              <span className="font-mono text-xs break-all">{card.syncExecutionId}</span>
            </Term>
            <Term label="Since then">
              {card.syncedSince ? <span>Synced since: {formatDateTime(card.syncedSince.endedAt)}</span> : <span>No sync since</span>}
            </Term>
          </dl>

          {card.countChanges.length ? (
            <div className="grid gap-1">
              <h4 className="text-xs font-semibold text-muted-foreground uppercase">Counts at creation and now</h4>
              <table className="w-full text-sm" aria-label={`Counts of ${card.integrationName} at creation and now`}>
                <thead>
                  <tr className="text-left text-xs text-muted-foreground">
                    <th className="py-1 font-medium">Type</th>
                    <th className="py-1 text-right font-medium">At creation</th>
                    <th className="py-1 text-right font-medium">Latest</th>
                    <th className="py-1 text-right font-medium">Change</th>
                  </tr>
                </thead>
                <tbody>
                  {card.countChanges.map((c) => (
                    <tr key={c.type} className="border-t">
                      <td className="py-1">{OBJECT_TYPE_LABELS[c.type as ObjectType] ?? c.type}</td>
                      <td className="py-1 text-right tabular-nums">{formatCount(c.atCreation)}</td>
                      <td className="py-1 text-right tabular-nums">{formatCount(c.latest)}</td>
                      <td className={cn("py-1 text-right tabular-nums", c.change !== 0 && "font-medium")}>
                        {c.change === 0 ? "—" : c.change > 0 ? `+${formatCount(c.change)}` : `−${formatCount(-c.change)}`}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}

          <div className="grid gap-1">
            <h4 className="text-xs font-semibold text-muted-foreground uppercase">Audit evidence notes</h4>
            {card.evidenceNotesHtml ? (
              <div className="rounded-md border bg-background p-3">
                <NotesView html={card.evidenceNotesHtml} />
              </div>
            ) : (
              <p className="text-muted-foreground">No notes were attached to this sync.</p>
            )}
            {card.evidenceCreatedAt ? (
              <p className="text-xs text-muted-foreground">
                Evidence added by {card.evidenceCreatedByName ?? "—"} on {formatDateTime(card.evidenceCreatedAt)}
              </p>
            ) : null}
          </div>

          <div className="grid gap-1">
            <h4 className="text-xs font-semibold text-muted-foreground uppercase">Evidence files</h4>
            {card.evidenceFiles.length ? (
              <ul className="grid gap-2" aria-label={`Evidence files of ${card.integrationName}`}>
                {card.evidenceFiles.map((f) => (
                  <li key={f.index} className="grid gap-1 rounded-md border p-2">
                    <div className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1">
                      <span className="min-w-0 flex-1 font-medium break-all">{f.name}</span>
                      <span className="text-xs text-muted-foreground tabular-nums">
                        {formatBytes(f.size)} · {f.contentType}
                      </span>
                    </div>
                    <div className="font-mono text-xs break-all text-muted-foreground" title="SHA-256 recorded at creation">
                      SHA-256 {f.sha256}
                    </div>
                    {!f.inStorage ? (
                      <p className="flex items-center gap-1.5 text-xs font-medium text-destructive">
                        <FileWarning aria-hidden="true" className="size-4" /> Missing from storage: the recorded hash above is what it held.
                      </p>
                    ) : canDownload ? (
                      <div>
                        <Button variant="outline" size="sm" asChild>
                          <a
                            href={`/api/campaigns/${campaignId}/files/${card.position}/${f.index}`}
                            download
                            aria-label={`Download ${f.name}`}
                          >
                            <Download aria-hidden="true" /> Download
                          </a>
                        </Button>
                      </div>
                    ) : (
                      <p className="text-xs text-muted-foreground">Downloading evidence needs an admin, operator or auditor.</p>
                    )}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-muted-foreground">No files were attached to this sync.</p>
            )}
          </div>
        </section>
      ) : null}
    </div>
  );
}

function Term({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-xs font-medium text-muted-foreground sm:text-sm">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}
