import Link from "next/link";
import { Brand } from "@/components/shell/logo";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { getSessionUser } from "@/lib/auth/session";
import { describeInvitation } from "@/lib/members/invitations";
import { AcceptInvitationForm, CreateAccountForm } from "./invite-forms";

export const dynamic = "force-dynamic";
// The token is in this page's address: never send it on as a Referer.
export const metadata = { title: "Invitation", referrer: "no-referrer" };

const UNUSABLE = {
  invalid: "This invitation link is not valid. Check that it was copied whole, or ask the admin who sent it for a new one.",
  expired: (t: string) => `This invitation to ${t} has expired. Ask an admin of ${t} for a new one.`,
  revoked: (t: string) => `This invitation to ${t} was withdrawn. Ask an admin of ${t} for a new one.`,
  accepted: (t: string) => `This invitation to ${t} has already been used; each link works once.`,
  tenant_inactive: (t: string) => `${t} is deactivated; its invitations cannot be accepted.`,
} as const;

function Frame({ title, description, children }: { title: string; description?: React.ReactNode; children: React.ReactNode }) {
  return (
    <main className="flex min-h-svh items-center justify-center bg-muted/40 px-4 py-8">
      <Card className="w-full max-w-md">
        <CardHeader className="space-y-3">
          <Brand />
          <h1 className="text-xl leading-tight font-semibold">{title}</h1>
          {description ? <CardDescription>{description}</CardDescription> : null}
        </CardHeader>
        <CardContent className="grid gap-4">{children}</CardContent>
      </Card>
    </main>
  );
}

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [offer, user] = await Promise.all([describeInvitation(token), getSessionUser()]);
  const here = `/invite/${encodeURIComponent(token)}`;

  if (offer.state !== "pending") {
    const message = offer.state === "invalid" ? UNUSABLE.invalid : UNUSABLE[offer.state](offer.tenantName);
    return (
      <Frame title="This invitation cannot be used">
        <Alert variant="destructive">
          <AlertDescription>{message}</AlertDescription>
        </Alert>
        <Button asChild variant="outline">
          <Link href={user ? "/" : "/login"}>{user ? "Go to SyncLedger" : "Go to sign in"}</Link>
        </Button>
      </Frame>
    );
  }

  const invited = (
    <>
      You are invited to join <strong className="text-foreground">{offer.tenantName}</strong> as{" "}
      <strong className="text-foreground">{offer.role}</strong>.
    </>
  );

  if (user && user.email.toLowerCase() !== offer.email) {
    return (
      <Frame title="This invitation is for another address">
        <Alert variant="warning">
          <AlertDescription>
            <p className="[overflow-wrap:anywhere]">
              This invitation is for <strong>{offer.email}</strong>, and you are signed in as <strong>{user.email}</strong>. Sign out, then
              open the link again and sign in as {offer.email}.
            </p>
          </AlertDescription>
        </Alert>
        <Button asChild variant="outline">
          <a href={`/api/auth/signout?callbackUrl=${encodeURIComponent(here)}`}>Sign out</a>
        </Button>
      </Frame>
    );
  }

  if (user) {
    return (
      <Frame title={`Join ${offer.tenantName}`} description={invited}>
        <p className="text-sm text-muted-foreground [overflow-wrap:anywhere]">
          Accepting adds {offer.email} to {offer.tenantName}; its admins and the audit log will see that you joined.
        </p>
        <AcceptInvitationForm token={token} tenantName={offer.tenantName} />
      </Frame>
    );
  }

  if (offer.hasAccount) {
    return (
      <Frame title={`Join ${offer.tenantName}`} description={invited}>
        <p className="text-sm text-muted-foreground [overflow-wrap:anywhere]">Sign in as {offer.email} to accept the invitation.</p>
        <Button asChild>
          <Link href={`/login?callbackUrl=${encodeURIComponent(here)}`}>Sign in to accept</Link>
        </Button>
      </Frame>
    );
  }

  return (
    <Frame title={`Join ${offer.tenantName}`} description={invited}>
      <p className="text-sm text-muted-foreground [overflow-wrap:anywhere]">
        Choose a password for {offer.email}. Your account is created and you join {offer.tenantName} in one step; then sign in.
      </p>
      <CreateAccountForm token={token} email={offer.email} />
    </Frame>
  );
}
