import { UserMinus } from "lucide-react";
import { ConfirmActionButton } from "@/components/forms/confirm-action-button";
import { InviteMemberForm } from "@/components/forms/invite-member-form";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/data/data-table";
import { requirePageContext } from "@/lib/auth/session";
import { listInvitations, listMembers } from "@/lib/members/service";
import { inviteMemberAction, removeMemberAction, revokeInvitationAction } from "./actions";
import { RoleSelect } from "./role-select";
import { formatDate } from "@/lib/format";

export const metadata = { title: "Members" };

type Member = Awaited<ReturnType<typeof listMembers>>[number];
type Invitation = Awaited<ReturnType<typeof listInvitations>>[number];

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
          <DataTable<Member>
            label="Members"
            framed={false}
            rows={members}
            rowKey={(m) => m.id}
            empty="No members."
            columns={[
              {
                id: "email",
                header: "Email",
                className: "font-medium whitespace-normal break-words",
                stacked: "title",
                cell: (m) => <Email address={m.email} />,
              },
              { id: "name", header: "Name", priority: "md", cell: (m) => m.name },
              { id: "role", header: "Role", cell: (m) => <RoleSelect membershipId={m.id} role={m.role} email={m.email} /> },
              { id: "since", header: "Member since", priority: "lg", className: "text-xs", cell: (m) => formatDate(m.createdAt) },
              {
                id: "remove",
                header: "Remove",
                srOnlyHeader: true,
                stacked: "actions",
                cell: (m) => (
                  <div className="flex sm:justify-end">
                    <ConfirmActionButton
                      action={removeMemberAction}
                      fields={{ membershipId: m.id }}
                      confirm={`Remove ${m.email} from this tenant?`}
                      variant="outline"
                      aria-label={`Remove ${m.email}`}
                    >
                      <UserMinus aria-hidden="true" /> Remove
                    </ConfirmActionButton>
                  </div>
                ),
              },
            ]}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Pending invitations</CardTitle>
          <CardDescription>People join only when they accept. Inviting an address again replaces its pending invitation.</CardDescription>
        </CardHeader>
        <CardContent>
          <DataTable<Invitation>
            label="Pending invitations"
            framed={false}
            rows={invitations}
            rowKey={(i) => i.id}
            empty="No pending invitations."
            columns={[
              {
                id: "email",
                header: "Email",
                className: "font-medium whitespace-normal break-words",
                stacked: "title",
                cell: (i) => <Email address={i.email} dots />,
              },
              { id: "role", header: "Role", cell: (i) => i.role },
              {
                id: "status",
                header: "Status",
                priority: "md",
                cell: (i) => <Badge variant={i.status === "pending" ? "outline" : "warning"}>{i.status}</Badge>,
              },
              {
                id: "invited",
                header: "Invited",
                priority: "lg",
                className: "text-xs",
                cell: (i) => (
                  <>
                    {formatDate(i.createdAt)}
                    <div className="text-muted-foreground">{i.invitedByName}</div>
                  </>
                ),
              },
              { id: "expires", header: "Expires", priority: "md", className: "text-xs", cell: (i) => formatDate(i.expiresAt) },
              {
                id: "revoke",
                header: "Revoke",
                srOnlyHeader: true,
                stacked: "actions",
                cell: (i) => (
                  <div className="flex sm:justify-end">
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
                ),
              },
            ]}
          />
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
