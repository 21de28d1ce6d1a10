/**
 * Bootstrap for a database the project runs itself (the embedded default and
 * the tests' scratch databases), run with the cluster's superuser: a login
 * role that owns the database and everything in it, and which migrations then
 * use. The owner is not a superuser, so it cannot set session_replication_role
 * (which would switch every append-only trigger off) or create roles; the
 * superuser's password is only used here.
 *
 * Databases made by earlier versions were migrated as the superuser, which then
 * owned every object; ownership of those is handed to the owner at each start
 * (a no-op once done). REASSIGN OWNED cannot be used: the bootstrap superuser
 * also owns the system catalogs, which it refuses to give away.
 */
import postgres from "postgres";
import { assertIdentifier, ensureLoginRole } from "./migrate";

export const OWNER_DB_ROLE = "syncledger_owner";

/** Schemas the project's objects live in: its tables and functions, and drizzle's migration journal. */
const OWNED_SCHEMAS = ["public", "drizzle"];

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Makes `owner` (created if missing) the owner of `database` (created if
 * missing) and of every object the project keeps in it. `superuserUrl` may
 * name any database of the cluster.
 */
export async function prepareOwnedDatabase(
  superuserUrl: string,
  options: { database: string; owner?: string; ownerPassword: string },
): Promise<void> {
  const owner = options.owner ?? OWNER_DB_ROLE;
  assertIdentifier(owner);
  assertIdentifier(options.database);
  await ensureLoginRole(withDatabase(superuserUrl, "postgres"), owner, options.ownerPassword);
  const admin = postgres(withDatabase(superuserUrl, "postgres"), { max: 1, onnotice: () => {} });
  try {
    const [existing] = await admin<{ owner: string }[]>`
      select pg_get_userbyid(datdba) as owner from pg_database where datname = ${options.database}`;
    if (!existing) await admin.unsafe(`CREATE DATABASE "${options.database}" OWNER ${owner}`);
    else if (existing.owner !== owner) await admin.unsafe(`ALTER DATABASE "${options.database}" OWNER TO ${owner}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const sql = postgres(withDatabase(superuserUrl, options.database), { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      for (const statement of await ownershipChanges(tx, owner)) await tx.unsafe(statement);
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * ALTER … OWNER statements for the project's objects not yet owned by `owner`.
 * Objects that belong to an extension stay with it; sequences and indexes of a
 * table, and a table's row type, follow their table.
 */
async function ownershipChanges(sql: postgres.TransactionSql, owner: string): Promise<string[]> {
  const schemas = await sql<{ name: string }[]>`
    select quote_ident(nspname) as name from pg_namespace
     where nspname = any(${OWNED_SCHEMAS}) and pg_get_userbyid(nspowner) not in (${owner}, 'pg_database_owner')`;
  const relations = await sql<{ name: string; relkind: string }[]>`
    select c.oid::regclass::text as name, c.relkind::text as relkind
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any(${OWNED_SCHEMAS}) and c.relkind in ('r', 'p', 'f', 'v', 'm', 'S')
       and pg_get_userbyid(c.relowner) <> ${owner}
       and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('e', 'a', 'i'))
     order by c.relkind = 'S', c.oid`;
  const routines = await sql<{ name: string; prokind: string }[]>`
    select p.oid::regprocedure::text as name, p.prokind::text as prokind
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = any(${OWNED_SCHEMAS}) and pg_get_userbyid(p.proowner) <> ${owner}
       and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')`;
  const types = await sql<{ name: string; typtype: string }[]>`
    select t.oid::regtype::text as name, t.typtype::text as typtype
      from pg_type t join pg_namespace n on n.oid = t.typnamespace
     where n.nspname = any(${OWNED_SCHEMAS}) and pg_get_userbyid(t.typowner) <> ${owner}
       and t.typtype in ('e', 'd', 'r') and t.typelem = 0
       and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')`;
  const relationKind: Record<string, string> = {
    r: "TABLE",
    p: "TABLE",
    f: "FOREIGN TABLE",
    v: "VIEW",
    m: "MATERIALIZED VIEW",
    S: "SEQUENCE",
  };
  const routineKind: Record<string, string> = { f: "FUNCTION", p: "PROCEDURE", a: "AGGREGATE", w: "FUNCTION" };
  return [
    ...schemas.map((s) => `ALTER SCHEMA ${s.name} OWNER TO ${owner}`),
    ...relations.map((r) => `ALTER ${relationKind[r.relkind]} ${r.name} OWNER TO ${owner}`),
    ...routines.map((r) => `ALTER ${routineKind[r.prokind]} ${r.name} OWNER TO ${owner}`),
    ...types.map((t) => `ALTER ${t.typtype === "d" ? "DOMAIN" : "TYPE"} ${t.name} OWNER TO ${owner}`),
  ];
}
