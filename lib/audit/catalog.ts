/**
 * What the audit log tracks: entity types and the actions recorded for each.
 * Client-safe; the filters offer exactly these. Later modules add theirs here.
 */
export const AUDITED = {
  Tenant: ["Create", "Update", "Deactivate", "ToggleActive"],
  Member: ["Add", "ChangeRole", "Remove"],
  Invitation: ["Create", "Revoke", "Accept"],
  ApiKey: ["Create", "Revoke", "Delete"],
  ConnectionProfile: ["Create", "Update", "Delete"],
  MappingConfig: ["Create", "Update", "Delete"],
  ExtractionCursor: ["Reset", "Delete"],
  SyncExecution: ["Release", "Cancel"],
  SyncLog: ["Export"],
  Evidence: ["Create", "Download", "ExportProof"],
  Ledger: ["Verify", "IntegrityFailure"],
  AuditLog: ["Export"],
  Campaign: ["Create", "Start", "Cancel", "Complete", "GenerateReport"],
  ReviewItem: ["Decide", "Reassign"],
  ProvisioningSettings: ["Update"],
  ProvisioningTask: ["Create", "Confirm", "Retry", "Cancel"],
  ProvisioningBatch: ["Create"],
  ProvisioningLog: ["Export"],
} as const;

export type AuditEntityType = keyof typeof AUDITED;
export type AuditAction = (typeof AUDITED)[AuditEntityType][number];
/** The actions recorded for one entity type: `{ entityType: "ApiKey", action: "Release" }` does not type-check. */
export type AuditActionOf<E extends AuditEntityType> = (typeof AUDITED)[E][number];

export const AUDIT_ENTITY_TYPES = Object.keys(AUDITED) as AuditEntityType[];
export const AUDIT_ACTIONS = [...new Set(Object.values(AUDITED).flat())] as AuditAction[];

/** The actions recorded for an entity type; every action when the type is not one of ours. */
export function actionsOf(entityType: string): readonly string[] {
  return (AUDITED as Record<string, readonly string[]>)[entityType] ?? AUDIT_ACTIONS;
}

/** Human labels for the filter dropdowns. */
export const ENTITY_TYPE_LABELS: Record<AuditEntityType, string> = {
  Tenant: "Tenant",
  Member: "Member",
  Invitation: "Invitation",
  ApiKey: "API Key",
  ConnectionProfile: "Connection Profile",
  MappingConfig: "Mapping Config",
  ExtractionCursor: "Extraction Cursor",
  SyncExecution: "Sync Execution",
  SyncLog: "Sync Log",
  Evidence: "Evidence",
  Ledger: "Ledger",
  AuditLog: "Audit Log",
  Campaign: "Campaign",
  ReviewItem: "Review Item",
  ProvisioningSettings: "Provisioning Settings",
  ProvisioningTask: "Provisioning Task",
  ProvisioningBatch: "Provisioning Batch",
  ProvisioningLog: "Synchronization Log",
};
