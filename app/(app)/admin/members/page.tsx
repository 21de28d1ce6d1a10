import { UserMinus } from "lucide-react";
import { ConfirmActionButton } from "@/components/forms/confirm-action-button";
import { InviteMemberForm } from "@/components/forms/invite-member-form";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requirePageContext } from "@/lib/auth/session";
import { listInvitations, listMembers } from "@/lib/members/service";
import { inviteMemberAction, removeMemberAction, revokeInvitationAction } from "./actions";
import { RoleSelect } from "./role-select";
import { formatDate } from "@/lib/format";

export const metadata = { title: "Members" };

const wide = "hidden md:table-cell";

/**
 * An address that may wrap before its "@" (and, with `dots`, its dots) on a
 * narrow screen rather than mid-word, so the row's buttons stay in view.
 */
function Email({ address, dots = false }: { address: string; dots?: boolean }) {
  return address.split(dots ? /(?=[.@])/ : /(?=@)/).map((part, i) => (
    <span key={i}>
      {i > 0 ? <wbr /> : null}
      {part}
    </span>
  ));
}

export default async function MembersPage() {
  const ctx = await requirePageContext("members:read", "/admin/members");
  const [members, invitations] = await Promise.all([listMembers(ctx), listInvitations(ctx)]);
  return (
    <div className="grid gap-6">
      <PageHeader title="Members" description="People in this tenant and what their role lets them do. Changes are audited." />
      <Card>
        <CardContent>
          <Table aria-label="Members">
            <TableHeader>
              <TableRow>
                <TableHead>Email</TableHead>
                <TableHead className={wide}>Name</TableHead>
                <TableHead>Role</TableHead>
                <TableHead className={wide}>Member since</TableHead>
                <TableHead className="text-right">Remove</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {members.map((m) => (
                <TableRow key={m.id}>
                  <TableCell className="font-medium whitespace-normal break-words">
                    <Email address={m.email} />
                    <div className="mt-1 text-xs font-normal text-muted-foreground md:hidden">{m.name}</div>
                  </TableCell>
                  <TableCell className={wide}>{m.name}</TableCell>
                  <TableCell>
                    <RoleSelect membershipId={m.id} role={m.role} email={m.email} />
                  </TableCell>
                  <TableCell className={`${wide} text-xs`}>{formatDate(m.createdAt)}</TableCell>
                  <TableCell>
                    <div className="flex justify-end">
                      <ConfirmActionButton
                        action={removeMemberAction}
                        fields={{ membershipId: m.id }}
                        confirm={`Remove ${m.email} from this tenant?`}
                        variant="outline"
                        aria-label={`Remove ${m.email}`}
                      >
                        <UserMinus aria-hidden="true" className="md:hidden" />
                        <span className="sr-only md:not-sr-only">Remove</span>
                      </ConfirmActionButton>
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Pending invitations</CardTitle>
          <CardDescription>People join only when they accept. Inviting an address again replaces its pending invitation.</CardDescription>
        </CardHeader>
        <CardContent>
          <Table aria-label="Pending invitations">
            <TableHeader>
              <TableRow>
                <TableHead>Email</TableHead>
                <TableHead className={wide}>Role</TableHead>
                <TableHead className={wide}>Status</TableHead>
                <TableHead className={wide}>Invited</TableHead>
                <TableHead className={wide}>Expires</TableHead>
                <TableHead className="text-right">Revoke</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {invitations.length === 0 ? (
                <TableRow>
                  <TableCell colSpan={6} className="py-6 text-center text-muted-foreground">
                    No pending invitations.
                  </TableCell>
                </TableRow>
              ) : (
                invitations.map((i) => (
                  <TableRow key={i.id}>
                    <TableCell className="font-medium whitespace-normal break-words">
                      <Email address={i.email} dots />
                      {/* Narrow screens show the other columns here, so Revoke stays in view. */}
                      <div className="mt-1 text-xs font-normal text-muted-foreground md:hidden">
                        {i.role} · {i.status} · expires {formatDate(i.expiresAt)}
                      </div>
                    </TableCell>
                    <TableCell className={wide}>{i.role}</TableCell>
                    <TableCell className={wide}>
                      <Badge variant={i.status === "pending" ? "outline" : "warning"}>{i.status}</Badge>
                    </TableCell>
                    <TableCell className={`${wide} text-xs`}>
                      {formatDate(i.createdAt)}
                      <div className="text-muted-foreground">{i.invitedByName}</div>
                    </TableCell>
                    <TableCell className={`${wide} text-xs`}>{formatDate(i.expiresAt)}</TableCell>
                    <TableCell>
                      <div className="flex justify-end">
                        <ConfirmActionButton
                          action={revokeInvitationAction}
                          fields={{ id: i.id }}
                          confirm={`Revoke the invitation of ${i.email}? Its link stops working.`}
                          variant="outline"
                          aria-label={`Revoke the invitation of ${i.email}`}
                        >
                          Revoke
                        </ConfirmActionButton>
                      </div>
                    </TableCell>
                  </TableRow>
                ))
              )}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Invite a member</CardTitle>
          <CardDescription>
            You get a link to send to the person: they accept after signing in, or set a password if they have no account yet.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <InviteMemberForm action={inviteMemberAction} />
        </CardContent>
      </Card>
    </div>
  );
}
