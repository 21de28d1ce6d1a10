/** Loads what a sync needs of an integration: settings with secrets decrypted, mapping, cursors. */
import "server-only";
import type { Executor } from "@/db/client";
import { cursorPositions, getIntegrationForSync } from "@/db/queries/integrations";
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

export async function loadIntegrationForSync(db: Executor, integrationId: string): Promise<IntegrationForSync> {
  const row = await getIntegrationForSync(db, integrationId);
  if (!row) throw new Error("The integration was deleted.");
  const secrets = row.secrets ? decryptJson(row.secrets, row.id) : {};
  const connector = getConnector(row.connector);
  const parsed = connector.configSchema.safeParse({ ...row.config, ...secrets });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`The integration's settings are not valid: ${issue.path.join(".")} ${issue.message}`);
  }
  const cursorRows = await cursorPositions(db, integrationId);
  return {
    id: row.id,
    connector: row.connector,
    config: parsed.data,
    mapping: row.mapping ?? {},
    cursors: Object.fromEntries(cursorRows.map((c) => [c.object_type, c.position])),
    dropThresholdPercent: row.drop,
  };
}
