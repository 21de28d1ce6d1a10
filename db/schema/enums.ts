/** The lists of values that columns are restricted to. */
export const OBJECT_TYPE_VALUES = ["account", "group", "role", "entitlement", "membership"] as const;
export const SYNC_STATUSES = ["queued", "syncing", "completed", "post_sync_completed", "error", "held", "cancelled"] as const;
/** Where a running sync is, in order: shown as its progress, with what was read so far. */
export const SYNC_PHASES = [
  "connecting",
  "reading_accounts",
  "reading_groups",
  "reading_roles",
  "reading_entitlements",
  "reading_memberships",
  "comparing",
  "checking",
  "applying",
] as const;
export const SYNC_TRIGGERS = ["config_saved", "evidence_updated", "manual", "schedule", "api"] as const;
export type SyncCounts = Partial<
  Record<
    (typeof OBJECT_TYPE_VALUES)[number],
    { extracted: number; created: number; updated: number; unchanged: number; deleted: number; skipped: number; errors: number }
  >
>;

export const SYNC_RECORD_OUTCOMES = ["created", "updated", "unchanged", "deleted", "skipped", "error"] as const;
/** The outcomes a staged row can have; the others are kept in sync_records. */
export const STAGED_OUTCOMES = ["created", "updated", "unchanged"] as const;
