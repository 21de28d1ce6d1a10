/** Loads what a sync needs of an integration: settings with secrets decrypted, mapping, cursors. */
import type postgres from "postgres";
import { decryptJson } from "@/lib/crypto/secrets";
import { getConnector } from "@/lib/connectors/registry";
import type { ConnectorType, ObjectType } from "@/lib/connectors/types";

export type IntegrationForSync = {
  id: string;
  connector: ConnectorType;
  config: unknown;
  mapping: Partial<Record<ObjectType, Record<string, string>>>;
  cursors: Partial<Record<ObjectType, string>>;
  dropThresholdPercent: number;
};

export async function loadIntegrationForSync(sql: postgres.Sql, integrationId: string): Promise<IntegrationForSync> {
  const [row] = await sql<
    { id: string; connector: ConnectorType; config: Record<string, unknown>; secrets: string | null; drop: number; mapping: Record<string, Record<string, string>> | null }[]
  >`
    select i.id, i.connector, i.config, i.secrets, i.drop_threshold_percent as drop, m.mapping
      from integrations i left join mapping_configs m on m.integration_id = i.id
     where i.id = ${integrationId} and i.deleted_at is null`;
  if (!row) throw new Error("The integration was deleted.");
  const secrets = row.secrets ? decryptJson(row.secrets, row.id) : {};
  const connector = getConnector(row.connector);
  const parsed = connector.configSchema.safeParse({ ...row.config, ...secrets });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`The integration's settings are not valid: ${issue.path.join(".")} ${issue.message}`);
  }
  const cursorRows = await sql<{ object_type: ObjectType; position: string }[]>`
    select object_type, position from extraction_cursors where integration_id = ${integrationId} and position <> ''`;
  return {
    id: row.id,
    connector: row.connector,
    config: parsed.data,
    mapping: row.mapping ?? {},
    cursors: Object.fromEntries(cursorRows.map((c) => [c.object_type, c.position])),
    dropThresholdPercent: row.drop,
  };
}
