/**
 * What the platform's own audit log tracks. Client-safe; the page's action
 * filter offers exactly these.
 */
export const PLATFORM_AUDITED = {
  Tenant: ["Create", "Update", "Deactivate", "ToggleActive"],
  PlatformAdmin: ["Grant", "Remove"],
} as const;

export type PlatformAuditEntityType = keyof typeof PLATFORM_AUDITED;
export type PlatformAuditAction = (typeof PLATFORM_AUDITED)[PlatformAuditEntityType][number];

export const PLATFORM_AUDIT_ACTIONS = [...new Set(Object.values(PLATFORM_AUDITED).flat())] as PlatformAuditAction[];

/** How each action reads in the filter and the table. */
export const PLATFORM_ACTION_LABELS: Record<PlatformAuditAction, string> = {
  Create: "Tenant created",
  Update: "Tenant updated",
  Deactivate: "Tenant deactivated",
  ToggleActive: "Tenant activated",
  Grant: "Platform admin granted",
  Remove: "Platform admin removed",
};
