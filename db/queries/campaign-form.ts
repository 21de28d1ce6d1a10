/** What the new-campaign form offers to choose from: the groups, roles and entitlements the integrations hold now. */
import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "../client";

/** Groups, roles and entitlements of the integrations' current state, by name; at most `limit`. */
export async function grantChoices(db: Executor, tenantId: string, integrationIds: string[], limit: number) {
  if (integrationIds.length === 0) return [];
  return db.execute<{ integrationId: string; objectType: string; externalId: string; name: string | null }>(sql`
    select integration_id::text as "integrationId", object_type as "objectType", external_id as "externalId", fields ->> 'name' as name
      from identity_objects
     where tenant_id = ${tenantId} and integration_id = any(${sql.param(integrationIds)}::uuid[])
       and object_type in ('group', 'role', 'entitlement')
     order by lower(coalesce(fields ->> 'name', external_id)), external_id
     limit ${limit}`);
}
