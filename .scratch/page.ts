import postgres from "postgres";
import { startScratchDatabase } from "@/db/scratch";
const db = await startScratchDatabase();
const sql = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
await sql`alter table extracted_objects set (autovacuum_enabled = false)`;
await sql`alter table sync_records set (autovacuum_enabled = false)`;
const [t] = await sql`insert into tenants (name, slug) values ('x', 'x') returning id`;
const [i] = await sql`insert into integrations (tenant_id, name, connector, config, secrets) values (${t.id}, 'i', 'ldap', '{}', '') returning id`;
const [s] = await sql`insert into sync_executions (tenant_id, integration_id, trigger, started_by_type, started_by_name) values (${t.id}, ${i.id}, 'manual', 'system', 'x') returning id`;
await sql`insert into extracted_objects (tenant_id, sync_execution_id, object_type, external_id, fields, hash, outcome)
  select ${t.id}, ${s.id}, case when g <= 100000 then 'account' else 'membership' end, md5(g::text)::uuid::text, jsonb_build_object('username', 'user' || g, 'email', 'u' || g || '@x.test'), encode(sha256(g::text::bytea), 'hex'), 'created'
    from generate_series(1, 605000) g`;
const explain = async (label: string, q: string) => {
  const rows = await sql.unsafe(`explain (analyze, costs off) ${q}`);
  console.log(label, "\n", rows.map((r: any) => r["QUERY PLAN"]).join("\n").slice(0, 2500));
};
for (const cond of [`= '${s.id}'`, `= (select '${s.id}'::uuid)`]) {
  await explain(cond, `select * from (
    (select e.id, e.object_type from extracted_objects e where e.tenant_id = '${t.id}' and e.sync_execution_id ${cond} and e.outcome is not null order by e.id limit 101)
    union all
    (select r.id, r.object_type from sync_records r where r.tenant_id = '${t.id}' and r.sync_execution_id ${cond} order by r.id limit 101)) m order by id limit 101`);
}
await sql.end(); await db.stop();
