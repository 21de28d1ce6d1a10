/**
 * How the create-key form presents scopes: grouped by area, each with what it
 * allows. Client-safe. Every scope in API_KEY_SCOPES appears exactly once
 * (tests/unit/api-key-scopes.test.ts).
 */
import type { Permission } from "@/lib/auth/permissions";

export type ScopeGroup = { area: string; scopes: { scope: Permission; allows: string }[] };

export const API_KEY_SCOPE_GROUPS: ScopeGroup[] = [
  {
    area: "Integrations",
    scopes: [
      { scope: "integrations:read", allows: "List integrations and read their settings (secrets are never returned)." },
      { scope: "integrations:write", allows: "Create, change, deactivate and delete integrations, and upload their logos." },
    ],
  },
  {
    area: "Syncs",
    scopes: [
      { scope: "syncs:read", allows: "Read Sync History, a sync's progress and its per-record Sync Log." },
      { scope: "syncs:run", allows: "Start a sync and cancel a running one." },
      {
        scope: "syncs:release",
        allows: "Release a sync the drop guard held so its changes are applied (the API has no release route yet).",
      },
    ],
  },
  {
    area: "Audit evidence",
    scopes: [
      { scope: "evidence:read", allows: "Read evidence notes, download attached files and proof bundles." },
      { scope: "evidence:write", allows: "Attach notes and files as evidence to an integration or a sync." },
    ],
  },
  {
    area: "Campaigns",
    scopes: [
      { scope: "campaigns:read", allows: "List campaigns, and read their Sync Context and review items." },
      {
        scope: "campaigns:write",
        allows: "Create, start, cancel and complete campaigns, reassign review items, and generate audit reports (PDF and ZIP).",
      },
      { scope: "campaigns:decide", allows: "Approve or revoke any review item of an active campaign, recorded as the key." },
    ],
  },
  {
    area: "Provisioning",
    scopes: [
      {
        scope: "provisioning:read",
        allows: "List and read provisioning tasks (the Synchronization Logs): operation log, parameters, request, response, bindings.",
      },
      {
        scope: "provisioning:write",
        allows: "Queue manual operations and batches, and confirm, retry after modification or cancel provisioning tasks.",
      },
    ],
  },
  {
    area: "Ledger and audit log",
    scopes: [
      { scope: "ledger:read", allows: "Verify the tenant's tamper-evident ledger (GET /api/v1/ledger/verify)." },
      { scope: "audit_log:read", allows: "Read the tenant's Audit Log, one event or a page at a time." },
      { scope: "audit_log:export", allows: "Export the Audit Log as CSV or JSON Lines (each export is audited)." },
    ],
  },
];
