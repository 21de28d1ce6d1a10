import Link from "next/link";
import { Download } from "lucide-react";
import { DataTable } from "@/components/data/data-table";
import { FilterField, FilterForm, FilterProblem } from "@/components/data/filter-form";
import { LinkedPanel } from "@/components/data/row-detail";
import { LiveRefresh } from "@/components/integrations/live-refresh";
import { RetryTaskForm } from "@/components/provisioning/retry-task-form";
import { TaskBindings, TaskView, taskTitle } from "@/components/provisioning/task-detail";
import { canConfirm, canRetry, formatDuration, hasBindingDetails, isLive, TaskStatusBadge } from "@/components/provisioning/task-display";
import { TaskRowActions } from "@/components/provisioning/task-row-actions";
import { PageHeader } from "@/components/shell/page-header";
import { RelatedLinks } from "@/components/shell/related-links";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { KeysetPager } from "@/components/ui/keyset-pager";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { can } from "@/lib/auth/context";
import { requirePageContext } from "@/lib/auth/session";
import {
  PROVISIONING_ACTION_LABELS,
  PROVISIONING_ACTIONS,
  PROVISIONING_OBJECT_TYPE_LABELS,
  PROVISIONING_OBJECT_TYPES,
  PROVISIONING_SOURCE_LABELS,
  PROVISIONING_SOURCES,
  PROVISIONING_STATUS_LABELS,
  PROVISIONING_STATUSES,
} from "@/lib/domain/enums";
import { formatDateTime, plural } from "@/lib/format";
import { filterQuery, orNull, withFilterProblem } from "@/lib/pages";
import { dayBound, listLogIntegrations, type TaskListRow } from "@/lib/provisioning/logs";
import { TASK_PAGE_SIZE } from "@/lib/provisioning/schemas";
import { getTask, listTasks } from "@/lib/provisioning/service";
import { cancelTaskAction, confirmTaskAction, retryTaskAction } from "./actions";

export const metadata = { title: "Synchronization Logs" };
export const dynamic = "force-dynamic";

const FILTER_KEYS = ["integrationId", "objectType", "action", "source", "status", "initiator", "q", "from", "to", "batchId"] as const;
type Params = Partial<Record<(typeof FILTER_KEYS)[number] | "after" | "task" | "panel", string>>;
const PANELS = ["view", "details", "retry"] as const;

const query = (params: Params, extra?: Record<string, string>) => filterQuery(FILTER_KEYS, params, extra);

export default async function ProvisioningLogsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const ctx = await requirePageContext("provisioning:read", "/provisioning");
  const sp = await searchParams;
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, sp[k] ?? ""])) as Record<(typeof FILTER_KEYS)[number], string>;
  const set = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== ""));
  const [{ value: page, problem }, integrations] = await Promise.all([
    withFilterProblem(
      () => listTasks(ctx, { ...set, from: dayBound(set.from, "from"), to: dayBound(set.to, "to"), after: sp.after }),
      () => ({ items: [] as TaskListRow[], next: null }),
    ),
    listLogIntegrations(ctx),
  ]);
  const canWrite = can(ctx, "provisioning:write");
  const manual = new Set(integrations.filter((i) => i.mode === "manual").map((i) => i.id));
  const anyEnabled = integrations.some((i) => i.enabled);

  // The open panel is part of the URL, so a link to one task opens it over the list it came from.
  const panel = PANELS.find((p) => p === sp.panel) ?? "view";
  const opened = sp.task ? await orNull(getTask(ctx, sp.task)) : null;
  const cursor: Record<string, string> = sp.after ? { after: sp.after } : {};
  const listHref = `/provisioning${query(sp, cursor)}`;
  const panelHref = (id: string, p: (typeof PANELS)[number] = "view") =>
    `/provisioning${query(sp, { ...cursor, task: id, ...(p === "view" ? {} : { panel: p }) })}`;

  return (
    <div className="grid gap-6">
      <PageHeader
        className="mb-0"
        title="Synchronization Logs"
        meta={<RelatedLinks ctx={ctx} current="/provisioning" />}
        description="Every operation SyncLedger sent to an application — accounts created, updated, deleted, enabled or disabled, groups granted or revoked — with its operation log, request and response, newest first."
        actions={
          <>
            <LiveRefresh active={page.items.some((t) => isLive(t.status))} />
            <Button variant="outline" size="sm" asChild>
              <Link href="/provisioning/batches">Batches</Link>
            </Button>
            <Button variant="outline" size="sm" asChild>
              <a href={`/api/provisioning/export${query(sp, { format: "csv" })}`} download>
                <Download aria-hidden="true" /> Export CSV
              </a>
            </Button>
            <Button variant="outline" size="sm" asChild>
              <a href={`/api/provisioning/export${query(sp, { format: "jsonl" })}`} download>
                <Download aria-hidden="true" /> Export JSON Lines
              </a>
            </Button>
          </>
        }
      />

      {!anyEnabled ? (
        <Alert>
          <AlertTitle>Provisioning is switched on for no application</AlertTitle>
          <AlertDescription>
            <p>
              Nothing is sent to applications and no synchronization log is written until provisioning is switched on for an integration.
              {integrations.length
                ? canWrite
                  ? " Switch it on in an integration's Provisioning settings:"
                  : " An admin or operator can switch it on in an integration's Provisioning settings."
                : " Add an integration first."}
            </p>
            {integrations.length && canWrite ? (
              <ul className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
                {integrations.slice(0, 8).map((i) => (
                  <li key={i.id}>
                    <Link
                      href={`/integrations/${i.id}/provisioning`}
                      className="font-medium text-primary underline-offset-4 hover:underline"
                    >
                      {i.name}
                    </Link>
                  </li>
                ))}
              </ul>
            ) : null}
          </AlertDescription>
        </Alert>
      ) : null}

      <FilterForm label="Synchronization Logs filters" resetHref="/provisioning">
        <FilterField label="Target application" htmlFor="integrationId">
          <NativeSelect id="integrationId" name="integrationId" defaultValue={filters.integrationId} className="w-full">
            <NativeSelectOption value="">All applications</NativeSelectOption>
            {integrations.map((i) => (
              <NativeSelectOption key={i.id} value={i.id}>
                {i.name}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FilterField>
        <FilterField label="Object type" htmlFor="objectType">
          <NativeSelect id="objectType" name="objectType" defaultValue={filters.objectType} className="w-full">
            <NativeSelectOption value="">All object types</NativeSelectOption>
            {PROVISIONING_OBJECT_TYPES.map((t) => (
              <NativeSelectOption key={t} value={t}>
                {PROVISIONING_OBJECT_TYPE_LABELS[t]}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FilterField>
        <FilterField label="Action" htmlFor="action">
          <NativeSelect id="action" name="action" defaultValue={filters.action} className="w-full">
            <NativeSelectOption value="">All actions</NativeSelectOption>
            {PROVISIONING_ACTIONS.map((a) => (
              <NativeSelectOption key={a} value={a}>
                {PROVISIONING_ACTION_LABELS[a]}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FilterField>
        <FilterField label="Source" htmlFor="source">
          <NativeSelect id="source" name="source" defaultValue={filters.source} className="w-full">
            <NativeSelectOption value="">All sources</NativeSelectOption>
            {PROVISIONING_SOURCES.map((s) => (
              <NativeSelectOption key={s} value={s}>
                {PROVISIONING_SOURCE_LABELS[s]}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FilterField>
        <FilterField label="Status" htmlFor="status">
          <NativeSelect id="status" name="status" defaultValue={filters.status} className="w-full">
            <NativeSelectOption value="">All statuses</NativeSelectOption>
            {PROVISIONING_STATUSES.map((s) => (
              <NativeSelectOption key={s} value={s}>
                {PROVISIONING_STATUS_LABELS[s]}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FilterField>
        <FilterField label="Initiated by" htmlFor="initiator">
          <Input id="initiator" name="initiator" type="search" placeholder="Email, key or system" defaultValue={filters.initiator} />
        </FilterField>
        <FilterField label="Object" htmlFor="q">
          <Input id="q" name="q" type="search" placeholder="Username or group…" defaultValue={filters.q} />
        </FilterField>
        <FilterField label="From" htmlFor="from">
          <Input id="from" name="from" type="date" defaultValue={filters.from} aria-invalid={!!problem?.fieldErrors?.from} />
        </FilterField>
        <FilterField label="To" htmlFor="to">
          <Input id="to" name="to" type="date" defaultValue={filters.to} aria-invalid={!!problem?.fieldErrors?.to} />
        </FilterField>
        {filters.batchId ? <input type="hidden" name="batchId" value={filters.batchId} /> : null}
      </FilterForm>

      <FilterProblem message={problem?.message} />

      <DataTable<TaskListRow>
        label="Synchronization Logs"
        rows={page.items}
        rowKey={(t) => t.id}
        empty={
          anyEnabled || page.items.length
            ? "No tasks match these filters."
            : "No synchronization logs: provisioning is switched on for no application."
        }
        columns={[
          {
            id: "time",
            header: "Time (UTC)",
            className: "font-mono text-xs",
            cell: (t) => formatDateTime(t.createdAt),
          },
          {
            id: "integration",
            header: "Target application",
            priority: "md",
            className: "max-w-40 truncate",
            cell: (t) => t.integrationName,
          },
          {
            id: "objectType",
            header: "Object type",
            priority: "xl",
            cell: (t) => PROVISIONING_OBJECT_TYPE_LABELS[t.objectType],
          },
          {
            id: "object",
            header: "Object",
            stacked: "title",
            className: "max-w-48 truncate font-medium",
            cell: (t) => <span title={t.objectName}>{t.objectName}</span>,
            full: (t) => <span className="break-words">{t.objectName}</span>,
          },
          { id: "action", header: "Action", priority: "lg", cell: (t) => PROVISIONING_ACTION_LABELS[t.action] },
          {
            id: "source",
            header: "Source",
            priority: "2xl",
            className: "max-w-44 truncate",
            cell: (t) => PROVISIONING_SOURCE_LABELS[t.source],
          },
          {
            id: "status",
            header: "Status",
            cell: (t) => <TaskStatusBadge status={t.status} />,
          },
          {
            id: "initiator",
            header: "Initiated by",
            priority: "2xl",
            className: "max-w-44 truncate",
            cell: (t) => <span title={t.initiatorName}>{t.initiatorName}</span>,
            full: (t) => <span className="break-words">{t.initiatorName}</span>,
          },
          {
            id: "duration",
            header: "Duration",
            priority: "xl",
            align: "right",
            cell: (t) => formatDuration(t.startedAt, t.endedAt) ?? (t.status === "running" ? "Running…" : "—"),
          },
          {
            id: "actions",
            header: "Actions",
            srOnlyHeader: true,
            stacked: "actions",
            cell: (t) => (
              <TaskRowActions
                task={{ id: t.id, title: `${PROVISIONING_ACTION_LABELS[t.action]} ${t.objectName}` }}
                viewHref={panelHref(t.id)}
                detailsHref={hasBindingDetails(t) ? panelHref(t.id, "details") : null}
                retryHref={canWrite && canRetry(t.status) ? panelHref(t.id, "retry") : null}
                confirm={canWrite && canConfirm(t.status, manual.has(t.integrationId)) ? confirmTaskAction : null}
                cancel={canWrite && t.status === "pending" ? cancelTaskAction : null}
              />
            ),
          },
        ]}
      />

      {opened ? (
        panel === "details" && hasBindingDetails(opened) ? (
          <LinkedPanel
            key={`${opened.id}-details`}
            title={taskTitle(opened)}
            description="Permission binding and unbinding"
            closeHref={listHref}
          >
            <TaskBindings task={opened} />
          </LinkedPanel>
        ) : panel === "retry" && canWrite && canRetry(opened.status) ? (
          <LinkedPanel
            key={`${opened.id}-retry`}
            title={`Retry ${taskTitle(opened)}`}
            description={opened.message ?? "Edit the parameters and run the operation again."}
            closeHref={listHref}
            wide
          >
            <RetryTaskForm
              task={{ id: opened.id, action: opened.action, parameters: opened.parameters }}
              action={retryTaskAction}
              doneHref={listHref}
            />
          </LinkedPanel>
        ) : (
          <LinkedPanel
            key={`${opened.id}-view`}
            title={taskTitle(opened)}
            description={`${opened.integrationName} · ${PROVISIONING_SOURCE_LABELS[opened.source]}`}
            closeHref={listHref}
            wide
          >
            <TaskView task={opened} taskHref={(id) => panelHref(id)} />
          </LinkedPanel>
        )
      ) : sp.task ? (
        <LinkedPanel key={sp.task} title="Task not found" closeHref={listHref}>
          <p className="text-sm text-muted-foreground">No provisioning task of this tenant has this id.</p>
        </LinkedPanel>
      ) : null}

      <KeysetPager
        label="Synchronization Logs pagination"
        summary={`${plural(page.items.length, "task")} on this page (${TASK_PAGE_SIZE} per page)`}
        firstHref={sp.after ? `/provisioning${query(sp)}` : null}
        nextHref={page.next ? `/provisioning${query(sp, { after: String(page.next) })}` : null}
      />
    </div>
  );
}
