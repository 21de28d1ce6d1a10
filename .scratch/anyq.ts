import postgres from "postgres";
import { startScratchDatabase } from "@/db/scratch";
const db = await startScratchDatabase();
const sql = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
await sql`alter table extracted_objects set (autovacuum_enabled = false)`;
const [t] = await sql`insert into tenants (name, slug) values ('x', 'x') returning id`;
const [i] = await sql`insert into integrations (tenant_id, name, connector, config, secrets) values (${t.id}, 'i', 'ldap', '{}', '') returning id`;
const [s] = await sql`insert into sync_executions (tenant_id, integration_id, trigger, started_by_type, started_by_name) values (${t.id}, ${i.id}, 'manual', 'system', 'x') returning id`;
await sql`insert into extracted_objects (tenant_id, sync_execution_id, object_type, external_id, fields, hash, outcome)
  select ${t.id}, ${s.id}, case when g <= 20000 then 'account' else 'membership' end, md5(g::text)::uuid::text, jsonb_build_object('username', 'user' || g), encode(sha256(g::text::bytea), 'hex'), 'created'
    from generate_series(1, 40010) g`;
const hex = await sql`select array_agg(md5(g::text)::uuid::text order by g) a from generate_series(20001, 25000) g`;
const arr = hex[0].a as string[];
const list = "'{" + arr.join(",") + "}'::text[]";
for (const cond of [`= (select '${s.id}'::uuid)`, `= '${s.id}'`]) {
  const rows = await sql.unsafe(`explain (analyze, costs on) select external_id, hash from extracted_objects where sync_execution_id ${cond} and object_type = 'membership' and external_id = any(${list})`);
  console.log(rows.map((r: any) => r["QUERY PLAN"]).filter((l: string) => !l.includes("Index Cond") || true).map((l: string) => l.slice(0, 200)).join("\n"));
}
await sql.end(); await db.stop();
