import Link from "next/link";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import type { LedgerIntegrityAlert } from "@/lib/ledger/service";

/** Red banner while the tenant's ledger is not being signed because its stored history no longer matches what was signed. */
export function LedgerIntegrityBanner({ alert, link = true }: { alert: LedgerIntegrityAlert; link?: boolean }) {
  return (
    <Alert variant="destructive" data-testid="ledger-integrity-banner">
      <AlertTitle>Ledger signing stopped</AlertTitle>
      <AlertDescription>
        <p>
          {alert.subject}: {alert.reason}. Detected {alert.detectedAt.replace("T", " ").slice(0, 19)} UTC. New records are still queued and
          chained, but no checkpoint is signed until an operator has found the cause and cleared the flag.
        </p>
        {link ? (
          <Link href="/ledger" className="underline underline-offset-2">
            Open the ledger
          </Link>
        ) : null}
      </AlertDescription>
    </Alert>
  );
}
