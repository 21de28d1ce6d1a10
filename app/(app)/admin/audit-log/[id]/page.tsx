import Link from "next/link";
import { ArrowLeft } from "lucide-react";
import { AuditEventDetails, auditEventTitle } from "@/components/audit/audit-event-details";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { getAuditEvent } from "@/lib/audit/service";
import { requirePageContext } from "@/lib/auth/session";
import { orNotFound } from "@/lib/pages";

export const metadata = { title: "Audit event" };

/** An audit event as a page of its own; the Audit Log opens the same details in a panel (?event=). */
export default async function AuditEventPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await requirePageContext("audit_log:read", `/admin/audit-log/${id}`);
  const event = await orNotFound(getAuditEvent(ctx, id));
  return (
    <div className="grid gap-6">
      <div>
        <Button variant="ghost" size="sm" asChild>
          <Link href="/admin/audit-log">
            <ArrowLeft aria-hidden="true" /> Audit Log
          </Link>
        </Button>
      </div>
      <PageHeader className="mb-0" title={auditEventTitle(event)} description={event.details} />
      <Card>
        <CardContent>
          <AuditEventDetails event={event} />
        </CardContent>
      </Card>
    </div>
  );
}
