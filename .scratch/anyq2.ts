import postgres from "postgres";
import { startScratchDatabase } from "@/db/scratch";
const db = await startScratchDatabase();
const sql = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
await sql`alter table extracted_objects set (autovacuum_enabled = false)`;
const [t] = await sql`insert into tenants (name, slug) values ('x', 'x') returning id`;
const [i] = await sql`insert into integrations (tenant_id, name, connector, config, secrets) values (${t.id}, 'i', 'ldap', '{}', '') returning id`;
const mk = async () => (await sql`insert into sync_executions (tenant_id, integration_id, trigger, started_by_type, started_by_name, status) values (${t.id}, ${i.id}, 'manual', 'system', 'x', 'error') returning id`)[0].id;
const N = Number(process.env.N ?? 605000);
const small = await mk();
await sql`insert into extracted_objects (tenant_id, sync_execution_id, object_type, external_id, fields, hash, outcome)
  select ${t.id}, ${small}, case when g <= 200 then 'account' else 'membership' end, md5('s' || g::text)::uuid::text, '{}'::jsonb, 'h', 'created' from generate_series(1, 300) g`;
if (process.env.ANALYZE_SMALL) await sql`analyze extracted_objects`;
const s = await mk();
await sql`insert into extracted_objects (tenant_id, sync_execution_id, object_type, external_id, fields, hash, outcome)
  select ${t.id}, ${s}, case when g <= ${Math.floor(N / 6)} then 'account' else 'membership' end, md5(g::text)::uuid::text, jsonb_build_object('username', 'user' || g), encode(sha256(g::text::bytea), 'hex'), 'created'
    from generate_series(1, ${N}::int) g`;
if (process.env.SWAP) {
  await sql`drop index extracted_objects_outcome_idx`;
  await sql`create index extracted_objects_outcome_idx on extracted_objects (outcome, sync_execution_id, object_type, id)`;
}
const hex = await sql`select array_agg(md5(g::text)::uuid::text order by g) a from generate_series(${N - 5000}::int, ${N - 1}::int) g`;
const list = "'{" + (hex[0].a as string[]).join(",") + "}'::text[]";
for (const cond of [`= (select '${s}'::uuid)`, `= '${s}'`]) {
  const rows = await sql.unsafe(`explain (analyze) select external_id, hash from extracted_objects where sync_execution_id ${cond} and object_type = 'membership' and external_id = any(${list})`);
  console.log(rows.map((r: any) => String(r["QUERY PLAN"])).filter((l) => !l.includes("Filter: (ext") && !l.includes("Index Cond: ((sync_execution_id = ") ).map((l) => l.slice(0, 150)).join("\n"));
}
await sql.end(); await db.stop();
