import postgres from "postgres";
import { startScratchDatabase } from "@/db/scratch";
const db = await startScratchDatabase();
const sql = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
const [t] = await sql`insert into tenants (name, slug) values ('x', 'x') returning id`;
const [i] = await sql`insert into integrations (tenant_id, name, connector, config, secrets) values (${t.id}, 'i', 'ldap', '{}', '') returning id`.catch(async (e) => { console.log(e.message); process.exit(1); });
const [s] = await sql`insert into sync_executions (tenant_id, integration_id, trigger, started_by_type, started_by_name) values (${t.id}, ${i.id}, 'manual', 'system', 'x') returning id`;
let t0 = performance.now();
await sql`insert into extracted_objects (tenant_id, sync_execution_id, object_type, external_id, fields, hash, outcome)
  select ${t.id}, ${s.id}, case when g <= 100000 then 'account' else 'membership' end, md5(g::text)::uuid::text, jsonb_build_object('username', 'user' || g, 'email', 'u' || g || '@x.test'), encode(sha256(g::text::bytea), 'hex'), 'created'
    from generate_series(1, 605000) g`;
console.log("insert", performance.now() - t0);
await sql`vacuum analyze extracted_objects`;
const ids = Array.from({ length: 5000 }, (_, k) => (k + 1)).map(String);
const hex = await sql`select array_agg(md5(g::text)::uuid::text order by g) a from generate_series(1, 5000) g`;
const arr = hex[0].a;
for (const [name, q] of [
  ["lateral", sql`explain (analyze, buffers) select k.external_id, b.hash from unnest(${arr}::text[]) as k(external_id) left join lateral (select b.hash from extracted_objects b where b.sync_execution_id = (select ${s.id}::uuid) and b.object_type = 'account' and b.external_id = k.external_id limit 1) b on true`],
  ["any", sql`explain (analyze, buffers) select external_id, hash from extracted_objects where sync_execution_id = ${s.id} and object_type = 'account' and external_id = any(${arr}::text[])`],
] as const) {
  for (let r = 0; r < 3; r++) { t0 = performance.now(); const rows = await q; if (r === 2) console.log(name, rows.map((x: any) => x["QUERY PLAN"]).join("\n")); else console.log(name, performance.now() - t0); }
}
await sql.end(); await db.stop();
