import { AddMemberForm } from "@/components/forms/add-member-form";
import { ConfirmActionButton } from "@/components/forms/confirm-action-button";
import { PageHeader } from "@/components/shell/page-header";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requirePageContext } from "@/lib/auth/session";
import { listMembers } from "@/lib/members/service";
import { addMemberAction, removeMemberAction } from "./actions";
import { RoleSelect } from "./role-select";
import { formatDate } from "@/lib/format";

export const metadata = { title: "Members" };

export default async function MembersPage() {
  const ctx = await requirePageContext("members:read", "/admin/members");
  const members = await listMembers(ctx);
  return (
    <div className="grid gap-6">
      <PageHeader title="Members" description="People in this tenant and what their role lets them do. Changes are audited." />
      <Card>
        <CardContent>
          <Table aria-label="Members">
            <TableHeader>
              <TableRow>
                <TableHead>Email</TableHead>
                <TableHead>Name</TableHead>
                <TableHead>Role</TableHead>
                <TableHead>Member since</TableHead>
                <TableHead className="text-right">Remove</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {members.map((m) => (
                <TableRow key={m.id}>
                  <TableCell className="font-medium">{m.email}</TableCell>
                  <TableCell>{m.name}</TableCell>
                  <TableCell>
                    <RoleSelect membershipId={m.id} role={m.role} email={m.email} />
                  </TableCell>
                  <TableCell className="text-xs">{formatDate(m.createdAt)}</TableCell>
                  <TableCell>
                    <div className="flex justify-end">
                      <ConfirmActionButton
                        action={removeMemberAction}
                        fields={{ membershipId: m.id }}
                        confirm={`Remove ${m.email} from this tenant?`}
                        variant="outline"
                        aria-label={`Remove ${m.email}`}
                      >
                        Remove
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
          <CardTitle>Add a member</CardTitle>
        </CardHeader>
        <CardContent>
          <AddMemberForm action={addMemberAction} />
        </CardContent>
      </Card>
    </div>
  );
}
