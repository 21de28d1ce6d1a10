/** Data access for Pipeline Health: queue depth, running syncs, hourly outcomes and each integration's last run. */
import "server-only";
import { sql } from "drizzle-orm";
import type { SyncPhase } from "@/lib/domain/enums";
import type { Executor } from "../client";
import { integrations, syncExecutions } from "../schema";

export type HourBucket = { hour: string; completed: number; failed: number; records: number; seconds: number };

export async function queueCounts(db: Executor, tenantId: string) {
  const [queue] = await db.execute<{ queued: number; running: number; held: number }>(sql`
    select count(*) filter (where status = 'queued')::int as queued,
           count(*) filter (where status = 'syncing')::int as running,
           count(*) filter (where status = 'held')::int as held
      from ${syncExecutions} where tenant_id = ${tenantId} and status in ('queued', 'syncing', 'held')`);
  return queue;
}

export async function runningSyncs(db: Executor, tenantId: string) {
  return db.execute<{
    id: string;
    integration: string;
    started_at: Date;
    processed: number;
    total: number | null;
    phase: SyncPhase | null;
    phaseStartedAt: string | null;
    deadlineAt: string | null;
    runDeadlineAt: string | null;
    maxRunSeconds: number;
    dbNow: string;
  }>(sql`
    select s.id, i.name as integration, s.started_at, s.processed, s.total, s.phase,
           s.phase_started_at as "phaseStartedAt", s.deadline_at as "deadlineAt", s.run_deadline_at as "runDeadlineAt",
           i.max_run_seconds as "maxRunSeconds", now() as "dbNow"
      from ${syncExecutions} s join ${integrations} i on i.id = s.integration_id
     where s.tenant_id = ${tenantId} and s.status = 'syncing' order by s.started_at`);
}

/** The last 24 hours, hour by hour, each hour present even when nothing ended in it. */
export async function hourlyOutcomes(db: Executor, tenantId: string) {
  return db.execute<HourBucket>(sql`
    with h as (select generate_series(date_trunc('hour', now()) - interval '23 hours', date_trunc('hour', now()), interval '1 hour') as hour)
    select to_char(h.hour at time zone 'UTC', 'HH24:00') as hour,
           count(s.id) filter (where s.status in ('completed', 'post_sync_completed'))::int as completed,
           count(s.id) filter (where s.status = 'error')::int as failed,
           coalesce(sum(s.processed), 0)::int as records,
           coalesce(sum(extract(epoch from s.ended_at - s.started_at)), 0)::float as seconds
      from h left join ${syncExecutions} s
        on s.tenant_id = ${tenantId} and s.ended_at >= h.hour and s.ended_at < h.hour + interval '1 hour'
     group by h.hour order by h.hour`);
}

export async function integrationHealth(db: Executor, tenantId: string) {
  return db.execute<{
    id: string;
    name: string;
    connector: string;
    last_status: string | null;
    last_ended_at: Date | null;
    last_success_at: Date | null;
    failures_24h: number;
  }>(sql`
    select i.id, i.name, i.connector, last.status as last_status, last.ended_at as last_ended_at,
           (select max(ended_at) from ${syncExecutions} x
             where x.integration_id = i.id and x.status in ('completed', 'post_sync_completed')) as last_success_at,
           (select count(*)::int from ${syncExecutions} x
             where x.integration_id = i.id and x.status = 'error' and x.ended_at > now() - interval '24 hours') as failures_24h
      from ${integrations} i
      left join lateral (select status, ended_at from ${syncExecutions} x where x.integration_id = i.id
                          order by queued_at desc nulls last limit 1) last on true
     where i.tenant_id = ${tenantId} and i.deleted_at is null
     order by i.name`);
}
