import Link from "next/link";
import { ArrowLeft } from "lucide-react";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ENTITY_TYPE_LABELS } from "@/lib/audit/catalog";
import { getAuditEvent } from "@/lib/audit/service";
import { requirePageContext } from "@/lib/auth/session";
import { orNotFound } from "@/lib/pages";

export const metadata = { title: "Audit event" };

function show(value: unknown) {
  if (value === null || value === undefined) return <span className="text-muted-foreground">—</span>;
  return <code className="break-all text-xs">{typeof value === "string" ? value : JSON.stringify(value)}</code>;
}

export default async function AuditEventPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await requirePageContext("audit_log:read", `/admin/audit-log/${id}`);
  const event = await orNotFound(getAuditEvent(ctx, id));
  const facts: [string, React.ReactNode][] = [
    ["Time (UTC)", event.occurredAt.toISOString()],
    ["Actor", `${event.actorName} (${event.actorType === "api_key" ? "API key" : event.actorType})`],
    ["Action", event.action],
    ["Entity Type", ENTITY_TYPE_LABELS[event.entityType as keyof typeof ENTITY_TYPE_LABELS] ?? event.entityType],
    ["Entity Name", event.entityName],
    ["Entity ID", event.entityId ?? "—"],
    ["Details", event.details],
    ["IP address", event.ip ?? "—"],
    ["User agent", event.userAgent ?? "—"],
    ["Request ID", event.requestId ?? "—"],
    ["Event ID", event.id],
  ];
  return (
    <div className="grid gap-6">
      <div>
        <Button variant="ghost" size="sm" asChild>
          <Link href="/admin/audit-log">
            <ArrowLeft aria-hidden="true" /> Audit Log
          </Link>
        </Button>
      </div>
      <PageHeader title={`${event.action} ${event.entityName}`} description={event.details} />
      <Card>
        <CardHeader>
          <CardTitle>Event</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
            {facts.map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-muted-foreground">{k}</dt>
                <dd className="break-all">{v}</dd>
              </div>
            ))}
          </dl>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>
            Changes <Badge variant="secondary">{event.changes.length}</Badge>
          </CardTitle>
        </CardHeader>
        <CardContent>
          {event.changes.length === 0 ? (
            <p className="text-sm text-muted-foreground">This action changed no recorded fields.</p>
          ) : (
            <Table aria-label="Field changes">
              <TableHeader>
                <TableRow>
                  <TableHead>Field</TableHead>
                  <TableHead>Before</TableHead>
                  <TableHead>After</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {event.changes.map((c) => (
                  <TableRow key={c.field}>
                    <TableCell className="font-mono text-xs">{c.field}</TableCell>
                    <TableCell>{show(c.before)}</TableCell>
                    <TableCell>{show(c.after)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
