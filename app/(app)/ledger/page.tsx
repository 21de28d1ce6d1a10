import { PageHeader } from "@/components/shell/page-header";
import { VerifyLedgerButton } from "@/components/ledger/verify-button";
import { WitnessLagCard } from "@/components/ledger/witness-lag";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requirePageContext } from "@/lib/auth/session";
import { ledgerOverview } from "@/lib/ledger/service";
import { ledgerWitnesses } from "@/lib/ledger/witnessing";
import { formatCount } from "@/lib/format";

export const metadata = { title: "Ledger" };
export const dynamic = "force-dynamic";

/** The tenant's tamper-evident ledger: size, latest signed checkpoint, its witnesses, and verification on demand. */
export default async function LedgerPage() {
  const ctx = await requirePageContext("ledger:read", "/ledger");
  const [overview, witnessing] = await Promise.all([ledgerOverview(ctx), ledgerWitnesses(ctx)]);
  const cp = overview.checkpoint;
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Ledger"
        description="Every evidence record, finished sync and admin audit event is chained by hash and covered by signed checkpoints. Verification recomputes all of it and names the first entry that does not check out."
      />
      <div className="grid gap-4 sm:grid-cols-3">
        <Card>
          <CardHeader>
            <CardDescription>Entries</CardDescription>
            <CardTitle className="text-2xl tabular-nums">{formatCount(overview.entries)}</CardTitle>
            {overview.pending ? <p className="text-xs text-muted-foreground">{overview.pending} waiting to be sealed</p> : null}
          </CardHeader>
        </Card>
        <Card className="sm:col-span-2">
          <CardHeader>
            <CardDescription>Latest checkpoint</CardDescription>
            {cp ? (
              <>
                <CardTitle className="text-lg">
                  Tree size {formatCount(cp.treeSize)} · key {cp.keyId}
                </CardTitle>
                <p className="text-xs text-muted-foreground">
                  Signed {cp.createdAt.replace("T", " ").slice(0, 19)} UTC · root <code className="break-all font-mono">{cp.rootHash}</code>
                </p>
              </>
            ) : (
              <CardTitle className="text-lg">None yet</CardTitle>
            )}
          </CardHeader>
        </Card>
      </div>
      <WitnessLagCard witnessing={witnessing} />
      <Card>
        <CardHeader>
          <CardTitle>Verify</CardTitle>
          <CardDescription>
            Checks the chain, the live records it covers, every evidence file and manifest in object storage, and every checkpoint
            signature. Also available as <code>GET /api/v1/ledger/verify</code> and <code>npm run ledger:verify</code>.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <VerifyLedgerButton />
        </CardContent>
      </Card>
    </div>
  );
}
