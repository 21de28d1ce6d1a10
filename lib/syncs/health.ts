/** Pipeline Health: queue depth, running syncs, throughput and errors over the last 24 hours. */
import { getSql } from "@/db/client";
import { authorize, type ServiceContext } from "@/lib/auth/context";

export type HourBucket = { hour: string; completed: number; failed: number; records: number; seconds: number };

export async function getPipelineHealth(ctx: ServiceContext) {
  authorize(ctx, "syncs:read");
  const sql = getSql();
  const tenantId = ctx.tenantId;
  const [queue] = await sql<{ queued: number; running: number; held: number }[]>`
    select count(*) filter (where status = 'queued')::int as queued,
           count(*) filter (where status = 'syncing')::int as running,
           count(*) filter (where status = 'held')::int as held
      from sync_executions where tenant_id = ${tenantId} and status in ('queued', 'syncing', 'held')`;
  const running = await sql<{ id: string; integration: string; started_at: Date; processed: number; total: number | null }[]>`
    select s.id, i.name as integration, s.started_at, s.processed, s.total
      from sync_executions s join integrations i on i.id = s.integration_id
     where s.tenant_id = ${tenantId} and s.status = 'syncing' order by s.started_at`;
  const hours = await sql<HourBucket[]>`
    with h as (select generate_series(date_trunc('hour', now()) - interval '23 hours', date_trunc('hour', now()), interval '1 hour') as hour)
    select to_char(h.hour at time zone 'UTC', 'HH24:00') as hour,
           count(s.id) filter (where s.status in ('completed', 'post_sync_completed'))::int as completed,
           count(s.id) filter (where s.status = 'error')::int as failed,
           coalesce(sum(s.processed), 0)::int as records,
           coalesce(sum(extract(epoch from s.ended_at - s.started_at)), 0)::float as seconds
      from h left join sync_executions s
        on s.tenant_id = ${tenantId} and s.ended_at >= h.hour and s.ended_at < h.hour + interval '1 hour'
     group by h.hour order by h.hour`;
  const integrations = await sql<
    { id: string; name: string; connector: string; last_status: string | null; last_ended_at: Date | null; last_success_at: Date | null; failures_24h: number }[]
  >`
    select i.id, i.name, i.connector, last.status as last_status, last.ended_at as last_ended_at,
           (select max(ended_at) from sync_executions x
             where x.integration_id = i.id and x.status in ('completed', 'post_sync_completed')) as last_success_at,
           (select count(*)::int from sync_executions x
             where x.integration_id = i.id and x.status = 'error' and x.ended_at > now() - interval '24 hours') as failures_24h
      from integrations i
      left join lateral (select status, ended_at from sync_executions x where x.integration_id = i.id
                          order by queued_at desc nulls last limit 1) last on true
     where i.tenant_id = ${tenantId} and i.deleted_at is null
     order by i.name`;
  const finished = hours.reduce((a, h) => a + h.completed + h.failed, 0);
  const failed = hours.reduce((a, h) => a + h.failed, 0);
  const records = hours.reduce((a, h) => a + h.records, 0);
  const seconds = hours.reduce((a, h) => a + h.seconds, 0);
  return {
    queue,
    running,
    hours,
    totals: {
      syncs24h: finished,
      errorRate: finished ? failed / finished : 0,
      recordsPerSecond: seconds > 0 ? records / seconds : 0,
    },
    integrations,
  };
}
