/**
 * Every list of values the product knows, defined once: the database schema
 * restricts its columns to them, the zod schemas accept them, and the UI
 * lists and labels them. A leaf: client-safe, imports nothing, so db/,
 * lib/ and components/ may all depend on it.
 */

export const ROLES = ["admin", "operator", "auditor", "reviewer", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const CONNECTOR_TYPES = ["ldap", "scim", "csv"] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

export const OBJECT_TYPES = ["account", "group", "role", "entitlement", "membership"] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];
/** How a list of objects of one type is titled. */
export const OBJECT_TYPE_LABELS: Record<ObjectType, string> = {
  account: "Accounts",
  group: "Groups",
  role: "Roles",
  entitlement: "Entitlements",
  membership: "Memberships",
};

export const SYNC_STATUSES = ["queued", "syncing", "completed", "post_sync_completed", "error", "held", "cancelled"] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];
export const SYNC_STATUS_LABELS: Record<SyncStatus, string> = {
  queued: "Queued",
  syncing: "Syncing",
  completed: "Completed",
  post_sync_completed: "Post-sync Completed",
  error: "Error",
  held: "Held",
  cancelled: "Cancelled",
};
/** Statuses of a sync whose data became the integration's current state. */
export const APPLIED_SYNC_STATUSES = ["completed", "post_sync_completed"] as const satisfies readonly SyncStatus[];

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
export type SyncPhase = (typeof SYNC_PHASES)[number];

export const SYNC_MODES = ["full", "delta"] as const;
export type SyncMode = (typeof SYNC_MODES)[number];
export const SYNC_TRIGGERS = ["config_saved", "evidence_updated", "manual", "schedule", "api"] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];
export const SYNC_TRIGGER_LABELS: Record<SyncTrigger, string> = {
  config_saved: "Configuration saved",
  evidence_updated: "Evidence updated",
  manual: "Manual",
  schedule: "Schedule",
  api: "API",
};
/** Who started a sync. */
export const SYNC_STARTER_TYPES = ["user", "api_key", "schedule", "system"] as const;
export type SyncStarterType = (typeof SYNC_STARTER_TYPES)[number];
export const SYNC_STARTER_TYPE_LABELS: Record<SyncStarterType, string> = {
  user: "User",
  api_key: "API key",
  schedule: "Schedule",
  system: "System",
};

/** What a sync did with a record: the Sync Log's outcomes. */
export const SYNC_RECORD_OUTCOMES = ["created", "updated", "unchanged", "deleted", "skipped", "error"] as const;
export type SyncRecordOutcome = (typeof SYNC_RECORD_OUTCOMES)[number];
/** The outcomes a staged row can have; the others are kept in sync_records. */
export const STAGED_OUTCOMES = ["created", "updated", "unchanged"] as const satisfies readonly SyncRecordOutcome[];
export type StagedOutcome = (typeof STAGED_OUTCOMES)[number];

/** A sync's figures per object type, in the order the pages show them. */
export const SYNC_COUNT_COLUMNS = ["extracted", "created", "updated", "unchanged", "deleted", "skipped", "errors"] as const;
export type SyncTypeCounts = Record<(typeof SYNC_COUNT_COLUMNS)[number], number>;
export type SyncCounts = Partial<Record<ObjectType, SyncTypeCounts>>;

/** Who did something recorded in the audit log. */
export const ACTOR_TYPES = ["user", "api_key", "system"] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const UPLOAD_PURPOSES = ["csv", "evidence", "logo"] as const;
export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];

export const LEDGER_ENTRY_KINDS = [
  "evidence",
  "sync",
  "audit",
  "campaign",
  "campaign_completion",
  "provisioning_task",
  "provisioning_confirmation",
] as const;
export type LedgerEntryKind = (typeof LEDGER_ENTRY_KINDS)[number];

/** The canonical identity model every source is mapped onto: its fields per object type. */
export const CANONICAL_FIELDS = {
  account: [
    "externalId",
    "username",
    "email",
    "displayName",
    "givenName",
    "familyName",
    "status",
    "department",
    "title",
    "managerExternalId",
  ],
  group: ["externalId", "name", "description"],
  role: ["externalId", "name", "description", "type"],
  entitlement: ["externalId", "name", "description", "type"],
  membership: ["groupExternalId", "memberExternalId"],
} as const satisfies Record<ObjectType, readonly string[]>;
export type CanonicalField<T extends ObjectType = ObjectType> = (typeof CANONICAL_FIELDS)[T][number];

/** An access-review campaign's life: a draft is captured but not yet open to its reviewers. */
export const CAMPAIGN_STATUSES = ["draft", "active", "completed", "cancelled"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const CAMPAIGN_STATUS_LABELS: Record<CampaignStatus, string> = {
  draft: "Draft",
  active: "Active",
  completed: "Completed",
  cancelled: "Cancelled",
};

/** Who reviews a campaign's items: chosen members, or each integration's owner for its own items. */
export const CAMPAIGN_REVIEWER_MODES = ["members", "owners"] as const;
export type CampaignReviewerMode = (typeof CAMPAIGN_REVIEWER_MODES)[number];

/** The object types a campaign can review, in the order the filter lists them. */
export const CAMPAIGN_ENTITY_TYPES = OBJECT_TYPES;

/** How an attribute condition compares an account's field with its value. */
export const CONDITION_OPERATORS = ["equals", "not_equals", "contains", "is_empty", "is_not_empty"] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];
export const CONDITION_OPERATOR_LABELS: Record<ConditionOperator, string> = {
  equals: "is",
  not_equals: "is not",
  contains: "contains",
  is_empty: "is empty",
  is_not_empty: "is not empty",
};

export const REVIEW_DECISIONS = ["approve", "revoke"] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
export const REVIEW_DECISION_LABELS: Record<ReviewDecision, string> = { approve: "Approved", revoke: "Revoked" };

/**
 * Where a revoke decision stands on the target application: pending until
 * provisioning takes it up, in progress while its revoke task runs,
 * remediated when the task succeeded (or was confirmed), failed when it
 * failed, and verified once a later sync of the application no longer sees
 * what was revoked.
 */
export const REMEDIATION_STATUSES = ["pending", "in_progress", "remediated", "failed", "verified"] as const;
export type RemediationStatus = (typeof REMEDIATION_STATUSES)[number];
export const REMEDIATION_STATUS_LABELS: Record<RemediationStatus, string> = {
  pending: "Removal pending",
  in_progress: "Removal in progress",
  remediated: "Removed",
  failed: "Removal failed",
  verified: "Removal verified",
};

/**
 * Provisioning: writing to the applications SyncLedger reads. One task is one
 * operation on one object of one target; these lists are its columns.
 */
export const PROVISIONING_OBJECT_TYPES = ["account", "membership"] as const;
export type ProvisioningObjectType = (typeof PROVISIONING_OBJECT_TYPES)[number];
export const PROVISIONING_OBJECT_TYPE_LABELS: Record<ProvisioningObjectType, string> = {
  account: "Account",
  membership: "Group membership",
};

export const PROVISIONING_ACTIONS = ["create", "update", "delete", "enable", "disable", "grant", "revoke"] as const;
export type ProvisioningAction = (typeof PROVISIONING_ACTIONS)[number];
export const PROVISIONING_ACTION_LABELS: Record<ProvisioningAction, string> = {
  create: "Create",
  update: "Update",
  delete: "Delete",
  enable: "Enable",
  disable: "Disable",
  grant: "Grant",
  revoke: "Revoke",
};
/** Which actions apply to which object type. */
export const PROVISIONING_ACTIONS_BY_OBJECT: Record<ProvisioningObjectType, readonly ProvisioningAction[]> = {
  account: ["create", "update", "delete", "enable", "disable"],
  membership: ["grant", "revoke"],
};

/**
 * Where a task came from. All ten are listed now so the model fits those that
 * arrive with identities later (self-service, access requests, policies,
 * change tracking); today tasks come from manual operations (single or batch),
 * access reviews, permission expiry and retries.
 */
export const PROVISIONING_SOURCES = [
  "self_service_deprovisioning",
  "access_request",
  "provisioning_policy",
  "retry_after_modification",
  "permission_change",
  "global_provisioning_policy",
  "application_account_policy",
  "access_review",
  "permission_expiry",
  "manual",
] as const;
export type ProvisioningSource = (typeof PROVISIONING_SOURCES)[number];
export const PROVISIONING_SOURCE_LABELS: Record<ProvisioningSource, string> = {
  self_service_deprovisioning: "Self-service deprovisioning",
  access_request: "Access request",
  provisioning_policy: "Provisioning policy",
  retry_after_modification: "Retry after modification",
  permission_change: "Permission change",
  global_provisioning_policy: "Global provisioning policy",
  application_account_policy: "Application account policy",
  access_review: "Access compliance review",
  permission_expiry: "Permission expiry",
  manual: "Manual operation",
};
/** What a task's source reference points at. */
export const PROVISIONING_SOURCE_REF_TYPES = ["campaign_item", "batch", "task", "grant", "access_request", "policy"] as const;
export type ProvisioningSourceRefType = (typeof PROVISIONING_SOURCE_REF_TYPES)[number];

export const PROVISIONING_STATUSES = [
  "pending",
  "running",
  "success",
  "failed",
  "no_callback",
  "confirmed",
  "cancelled",
  "superseded",
] as const;
export type ProvisioningStatus = (typeof PROVISIONING_STATUSES)[number];
export const PROVISIONING_STATUS_LABELS: Record<ProvisioningStatus, string> = {
  pending: "Pending",
  running: "Running",
  success: "Success",
  failed: "Failed",
  no_callback: "No callback",
  confirmed: "Confirmed",
  cancelled: "Cancelled",
  superseded: "Superseded",
};
/** A task in one of these holds the later tasks on the same object until it is retried or confirmed. */
export const PROVISIONING_HOLDING_STATUSES = [
  "pending",
  "running",
  "failed",
  "no_callback",
] as const satisfies readonly ProvisioningStatus[];
/** A task that ended in one of these is written to the ledger. */
export const PROVISIONING_FINISHED_STATUSES = ["success", "failed", "no_callback"] as const satisfies readonly ProvisioningStatus[];
/** Confirm and Retry After Modification apply only to these. */
export const PROVISIONING_RESOLVABLE_STATUSES = ["failed", "no_callback"] as const satisfies readonly ProvisioningStatus[];

/**
 * How an integration's operations reach the application: through its own
 * connector (LDAP, SCIM), to an HTTP endpoint that reports back on a signed
 * callback URL, or written down for someone to do by hand (CSV applications).
 */
export const PROVISIONING_MODES = ["connector", "callback", "manual"] as const;
export type ProvisioningMode = (typeof PROVISIONING_MODES)[number];
export const PROVISIONING_MODE_LABELS: Record<ProvisioningMode, string> = {
  connector: "Directly, through the connector",
  callback: "HTTP endpoint with callback",
  manual: "Manual fulfilment",
};
