/**
 * The panels a Synchronization Logs row opens: View (summary, operation log,
 * task parameters, outgoing request, response) and View Details (the
 * permission binding and unbinding of an account). Server-safe.
 */
import type { ReactNode } from "react";
import Link from "next/link";
import { DetailItem, DetailList } from "@/components/data/data-table";
import { PROVISIONING_ACTION_LABELS, PROVISIONING_OBJECT_TYPE_LABELS, PROVISIONING_SOURCE_LABELS } from "@/lib/domain/enums";
import { formatBytes, formatDateTime } from "@/lib/format";
import type { ProvisioningTaskView } from "@/lib/provisioning/service";
import { cn } from "@/lib/utils";
import { formatDuration, TaskStatusBadge } from "./task-display";

const INITIATOR_KINDS: Record<string, string> = { user: "user", api_key: "API key", system: "system" };

export function taskTitle(task: Pick<ProvisioningTaskView, "action" | "objectName">) {
  return `${PROVISIONING_ACTION_LABELS[task.action]} ${task.objectName}`;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="grid gap-2">
      <h3 className="text-sm font-semibold">{title}</h3>
      {children}
    </section>
  );
}

function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <pre
      data-label={label}
      className="max-h-80 overflow-auto rounded-md border bg-muted/40 p-3 font-mono text-xs leading-relaxed break-all whitespace-pre-wrap"
    >
      {typeof value === "string" ? value : JSON.stringify(value, null, 2)}
    </pre>
  );
}

function Empty({ children }: { children: ReactNode }) {
  return <p className="text-sm text-muted-foreground">{children}</p>;
}

export function TaskView({ task, taskHref }: { task: ProvisioningTaskView; taskHref: (id: string) => string }) {
  const duration = formatDuration(task.startedAt, task.endedAt);
  return (
    <div className="grid gap-6">
      <DetailList>
        <DetailItem label="Status">
          <TaskStatusBadge status={task.status} />
          {task.message ? <p className="mt-1 text-sm break-words text-destructive">{task.message}</p> : null}
        </DetailItem>
        <DetailItem label="Target application">{task.integrationName}</DetailItem>
        <DetailItem label="Object">
          {PROVISIONING_OBJECT_TYPE_LABELS[task.objectType]} · {task.objectName}
          {task.accountExternalId ? (
            <div className="font-mono text-xs break-all text-muted-foreground">{task.accountExternalId}</div>
          ) : null}
        </DetailItem>
        <DetailItem label="Action">{PROVISIONING_ACTION_LABELS[task.action]}</DetailItem>
        <DetailItem label="Source">
          {PROVISIONING_SOURCE_LABELS[task.source]}
          {task.retryOfId ? (
            <div className="text-xs">
              Retries{" "}
              <Link href={taskHref(task.retryOfId)} scroll={false} className="font-mono underline-offset-4 hover:underline">
                {task.retryOfId.slice(0, 8)}
              </Link>
            </div>
          ) : task.sourceRefType ? (
            <div className="font-mono text-xs text-muted-foreground">
              {task.sourceRefType} {task.sourceRefId}
              {task.batchLine ? ` · line ${task.batchLine}` : ""}
            </div>
          ) : null}
        </DetailItem>
        <DetailItem label="Initiated by">
          {task.initiatorName}
          {task.initiatorType !== "user" ? <span className="text-muted-foreground"> ({INITIATOR_KINDS[task.initiatorType]})</span> : null}
        </DetailItem>
        <DetailItem label="Queued">{formatDateTime(task.createdAt)}</DetailItem>
        <DetailItem label="Started · ended">
          {formatDateTime(task.startedAt)} · {formatDateTime(task.endedAt)}
          {duration ? <span className="text-muted-foreground"> ({duration})</span> : null}
        </DetailItem>
        <DetailItem label="Attempts">{task.attempts}</DetailItem>
        {task.expiresAt ? <DetailItem label="Expires">{formatDateTime(task.expiresAt)}</DetailItem> : null}
        {task.confirmedAt ? (
          <DetailItem label="Confirmed">
            {task.confirmedByName} · {formatDateTime(task.confirmedAt)}
            {task.confirmReason ? <p className="mt-1 break-words whitespace-pre-wrap">{task.confirmReason}</p> : null}
            {task.confirmEvidence?.length ? (
              <ul className="mt-1 grid gap-0.5 text-xs">
                {task.confirmEvidence.map((f) => (
                  <li key={f.objectKey}>
                    {f.name}{" "}
                    <span className="text-muted-foreground">
                      ({formatBytes(f.size)}, SHA-256 {f.sha256.slice(0, 12)}…)
                    </span>
                  </li>
                ))}
              </ul>
            ) : null}
          </DetailItem>
        ) : null}
      </DetailList>

      <Section title="Operation log">
        {task.steps.length ? (
          <ol className="grid gap-1.5 text-sm">
            {task.steps.map((s, i) => (
              <li key={i} className="grid grid-cols-[auto_1fr] gap-x-3">
                <time dateTime={s.at} className="font-mono text-xs text-muted-foreground tabular-nums sm:pt-0.5">
                  {formatDateTime(s.at)}
                </time>
                <span
                  className={cn("min-w-0 break-words", s.level === "error" && "text-destructive", s.level === "warn" && "text-warning")}
                >
                  {s.message}
                </span>
              </li>
            ))}
          </ol>
        ) : (
          <Empty>Nothing logged yet.</Empty>
        )}
      </Section>

      <Section title="Task parameters">
        <Json value={task.parameters} label="Task parameters" />
      </Section>

      <Section title="Outgoing request payload">
        {task.request ? (
          <>
            {task.request.method || task.request.url ? (
              <p className="font-mono text-xs break-all">
                {task.request.method} {task.request.url}
              </p>
            ) : null}
            {task.request.summary ? <p className="text-sm">{task.request.summary}</p> : null}
            {task.request.body !== undefined ? <Json value={task.request.body} label="Request body" /> : null}
            {task.requestHash ? <p className="font-mono text-xs break-all text-muted-foreground">SHA-256 {task.requestHash}</p> : null}
          </>
        ) : (
          <Empty>Nothing has been sent yet.</Empty>
        )}
      </Section>

      <Section title="Response message">
        {task.response ? (
          <>
            {task.response.status !== undefined ? <p className="text-sm">Status {String(task.response.status)}</p> : null}
            {task.response.body !== undefined ? <Json value={task.response.body} label="Response body" /> : null}
            {task.response.truncated ? <Empty>The body was longer and is cut here.</Empty> : null}
            {task.responseHash ? <p className="font-mono text-xs break-all text-muted-foreground">SHA-256 {task.responseHash}</p> : null}
          </>
        ) : (
          <Empty>No response yet.</Empty>
        )}
      </Section>
    </div>
  );
}

function GroupList({ title, groups }: { title: string; groups: { externalId: string; name?: string | null; reason?: string }[] }) {
  return (
    <Section title={`${title} (${groups.length})`}>
      {groups.length ? (
        <ul className="grid gap-1 text-sm">
          {groups.map((g) => (
            <li key={g.externalId} className="min-w-0">
              <span className="font-medium">{g.name || g.externalId}</span>
              {g.name ? <span className="ml-2 font-mono text-xs break-all text-muted-foreground">{g.externalId}</span> : null}
              {g.reason ? <p className="text-destructive">{g.reason}</p> : null}
            </li>
          ))}
        </ul>
      ) : (
        <Empty>None.</Empty>
      )}
    </Section>
  );
}

/** View Details: which groups the account was bound to and unbound from. */
export function TaskBindings({ task }: { task: ProvisioningTaskView }) {
  const b = task.bindings;
  if (!b) return <Empty>This operation bound and unbound no groups.</Empty>;
  return (
    <div className="grid gap-6">
      <GroupList title="Bound" groups={b.bound} />
      <GroupList title="Unbound" groups={b.unbound} />
      {b.failed?.length ? <GroupList title="Not bound" groups={b.failed} /> : null}
    </div>
  );
}
