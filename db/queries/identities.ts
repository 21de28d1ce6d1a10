/**
 * Reading an integration's current state (the identity_objects view): its
 * accounts, one account, its group memberships and the groups an account can
 * be granted. Every query takes the tenant and the integration.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "../client";
import { identityObjects } from "../schema";

export type AccountRow = { externalId: string; fields: Record<string, string | null>; syncExecutionId: string };
export type GroupRow = { externalId: string; name: string | null; description: string | null };
export type MembershipRow = { groupExternalId: string; groupName: string | null };

function likeText(text: string) {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A page of accounts ordered by username (case-insensitive), then external
 * id; `after` is the last row's (sort key, external id). `q` matches part of
 * the username, email, display name or external id.
 */
export async function listAccounts(
  db: Executor,
  tenantId: string,
  integrationId: string,
  opts: { q?: string; after?: { key: string; externalId: string }; limit: number },
) {
  const o = identityObjects;
  const key = sql`lower(coalesce(${o.fields} ->> 'username', ''))`;
  const search = opts.q
    ? sql`and (coalesce(${o.fields} ->> 'username', '') ilike ${likeText(opts.q)}
               or coalesce(${o.fields} ->> 'email', '') ilike ${likeText(opts.q)}
               or coalesce(${o.fields} ->> 'displayName', '') ilike ${likeText(opts.q)}
               or ${o.externalId} ilike ${likeText(opts.q)})`
    : sql``;
  const after = opts.after ? sql`and (${key}, ${o.externalId}) > (${opts.after.key}, ${opts.after.externalId})` : sql``;
  return db.execute<AccountRow & { sortKey: string }>(sql`
    select ${o.externalId} as "externalId", ${o.fields} as fields, ${o.syncExecutionId}::text as "syncExecutionId", ${key} as "sortKey"
      from ${o}
     where ${o.tenantId} = ${tenantId} and ${o.integrationId} = ${integrationId} and ${o.objectType} = 'account'
       ${search} ${after}
     order by ${key}, ${o.externalId}
     limit ${opts.limit}`);
}

/** One account by its external id on the target. */
export async function getAccount(db: Executor, tenantId: string, integrationId: string, externalId: string) {
  const o = identityObjects;
  const rows = await db.execute<AccountRow>(sql`
    select ${o.externalId} as "externalId", ${o.fields} as fields, ${o.syncExecutionId}::text as "syncExecutionId"
      from ${o}
     where ${o.tenantId} = ${tenantId} and ${o.integrationId} = ${integrationId} and ${o.objectType} = 'account'
       and ${o.externalId} = ${externalId}`);
  return rows[0] ?? null;
}

/** The groups an account is a member of, with the group's name where the state holds the group. */
export async function accountMemberships(db: Executor, tenantId: string, integrationId: string, externalId: string) {
  return db.execute<MembershipRow>(sql`
    with objs as materialized (
      select object_type, external_id, fields from identity_objects
       where tenant_id = ${tenantId} and integration_id = ${integrationId} and object_type in ('membership', 'group'))
    select m.fields ->> 'groupExternalId' as "groupExternalId", g.fields ->> 'name' as "groupName"
      from objs m
      left join objs g on g.object_type = 'group' and g.external_id = m.fields ->> 'groupExternalId'
     where m.object_type = 'membership' and m.fields ->> 'memberExternalId' = ${externalId}
     order by lower(coalesce(g.fields ->> 'name', m.fields ->> 'groupExternalId'))`);
}

/** The integration's groups, by name: what a grant chooses from. */
export async function listGroups(db: Executor, tenantId: string, integrationId: string, limit: number) {
  const o = identityObjects;
  return db.execute<GroupRow>(sql`
    select ${o.externalId} as "externalId", ${o.fields} ->> 'name' as name, ${o.fields} ->> 'description' as description
      from ${o}
     where ${o.tenantId} = ${tenantId} and ${o.integrationId} = ${integrationId} and ${o.objectType} = 'group'
     order by lower(coalesce(${o.fields} ->> 'name', ${o.externalId})), ${o.externalId}
     limit ${limit}`);
}
