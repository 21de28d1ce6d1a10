/**
 * The OpenAPI 3.1 document for /api/v1, generated from the same zod schemas
 * the handlers validate with (JSON Schema 2020-12 is OpenAPI 3.1's dialect).
 */
import { z } from "zod";
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES } from "@/lib/audit/catalog";
import { auditEventFiltersSchema } from "@/lib/audit/schemas";
import { decideItemsSchema, reassignItemsSchema } from "@/lib/campaigns/review-schemas";
import { createCampaignSchema } from "@/lib/campaigns/schemas";
import { API_KEY_SCOPES } from "@/lib/auth/permissions";
import { createIntegrationSchema, updateIntegrationSchema } from "@/lib/integrations/schemas";
import { requestSyncSchema } from "@/lib/syncs/schemas";
import {
  callbackBodySchema,
  confirmTaskSchema,
  manualOperationSchema,
  retryTaskSchema,
  TASK_FILTER_KEYS,
} from "@/lib/provisioning/schemas";
import {
  ACTOR_TYPES,
  CAMPAIGN_STATUSES,
  PROVISIONING_ACTIONS,
  PROVISIONING_OBJECT_TYPES,
  PROVISIONING_SOURCES,
  PROVISIONING_STATUSES,
  OBJECT_TYPES,
  REMEDIATION_STATUSES,
  REVIEW_DECISIONS,
  SYNC_MODES,
  SYNC_PHASES,
  SYNC_RECORD_OUTCOMES,
  SYNC_STARTER_TYPES,
  SYNC_STATUSES,
} from "@/lib/domain/enums";

const fieldChangeSchema = z.object({ field: z.string(), before: z.unknown(), after: z.unknown() });

export const auditEventSchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  occurredAt: z.iso.datetime(),
  actorType: z.enum(ACTOR_TYPES),
  actorId: z.string().nullable(),
  actorName: z.string(),
  action: z.enum(AUDIT_ACTIONS as [string, ...string[]]),
  entityType: z.enum(AUDIT_ENTITY_TYPES as [string, ...string[]]),
  entityId: z.string().nullable(),
  entityName: z.string(),
  details: z.string(),
  changes: z.array(fieldChangeSchema),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
});

const errorSchema = z.object({
  error: z.object({
    code: z.string().meta({ description: "e.g. forbidden:audit_log:read, unauthorized:api_key" }),
    message: z.string(),
    fieldErrors: z.record(z.string(), z.array(z.string())).optional(),
  }),
});

function schema(s: z.ZodType, io: "input" | "output" = "output") {
  return z.toJSONSchema(s, { target: "draft-2020-12", io, unrepresentable: "any" });
}

const json = (ref: string) => ({ "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } });
const dataOf = (ref: string) => ({
  "application/json": { schema: { type: "object", properties: { data: { $ref: `#/components/schemas/${ref}` } } } },
});
/** A sync request's answer: the sync, and whether the request joined one already queued. */
const joinedOf = (ref: string) => ({
  "application/json": {
    schema: { type: "object", properties: { data: { $ref: `#/components/schemas/${ref}` }, joined: { type: "boolean" } } },
  },
});
/** A keyset page: the items and the cursor of the next page (null on the last). */
const pageOf = (ref: string) => ({
  "application/json": {
    schema: {
      type: "object",
      required: ["data", "nextCursor"],
      properties: { data: { type: "array", items: { $ref: `#/components/schemas/${ref}` } }, nextCursor: { type: ["string", "null"] } },
    },
  },
});
const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };

const filterDescriptions: Record<string, string> = {
  entityType: "Only events on this entity type",
  action: "Only events with this action",
  actor: "Only events by this actor (user email or API key name)",
  from: "Earliest time (ISO date or timestamp)",
  to: "Latest time (a bare date means the end of that day)",
  q: "Free text over entity name and details",
};

function filterParameters() {
  const shape = auditEventFiltersSchema.shape as Record<string, z.ZodType>;
  return Object.keys(shape).map((name) => ({
    name,
    in: "query",
    required: false,
    description: filterDescriptions[name],
    schema:
      name === "entityType"
        ? { type: "string", enum: AUDIT_ENTITY_TYPES }
        : name === "action"
          ? { type: "string", enum: AUDIT_ACTIONS }
          : { type: "string" },
  }));
}

const taskFilterDescriptions: Record<(typeof TASK_FILTER_KEYS)[number], { description: string; schema: Record<string, unknown> }> = {
  integrationId: { description: "Only tasks on this integration (the target application)", schema: { type: "string", format: "uuid" } },
  objectType: { description: "account or membership", schema: { type: "string", enum: PROVISIONING_OBJECT_TYPES } },
  action: { description: "Only this action", schema: { type: "string", enum: PROVISIONING_ACTIONS } },
  source: { description: "Only tasks from this source", schema: { type: "string", enum: PROVISIONING_SOURCES } },
  status: { description: "Only tasks in this status", schema: { type: "string", enum: PROVISIONING_STATUSES } },
  initiator: { description: "Text the initiator's name contains (user email, API key name, system)", schema: { type: "string" } },
  q: { description: "Text the object's name contains (username, group)", schema: { type: "string" } },
  batchId: { description: "Only the tasks of this batch", schema: { type: "string", format: "uuid" } },
  from: { description: "Created at or after (ISO date-time with offset)", schema: { type: "string", format: "date-time" } },
  to: { description: "Created at or before (ISO date-time with offset)", schema: { type: "string", format: "date-time" } },
};
const taskFilterParameters = () =>
  TASK_FILTER_KEYS.map((name) => ({ name, in: "query", required: false, ...taskFilterDescriptions[name] }));

const errors = {
  "400": { description: "Invalid input", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  "401": {
    description: "Missing, unknown, revoked or expired API key",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  },
  "403": { description: "The key lacks the scope", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
};

export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "SyncLedger API",
      version: "1",
      description: `Authenticate with \`Authorization: Bearer <API key>\`. Scopes: ${API_KEY_SCOPES.join(", ")}.`,
    },
    servers: [{ url: "/api/v1" }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key created by a tenant admin" } },
      schemas: {
        AuditEvent: schema(auditEventSchema),
        Error: schema(errorSchema),
        CreateIntegration: {
          ...schema(createIntegrationSchema, "input"),
          description:
            "config holds the connector's settings (ldap: url, bindDn, bindPassword, baseDn, userBaseDn, groupBaseDn, userFilter, groupFilter, startTls, tlsRejectUnauthorized, tlsCaCert; scim: baseUrl, bearerToken, pageSize; csv: files, delimiter, headerMapping). Secret settings are write-only.",
        },
        UpdateIntegration: schema(updateIntegrationSchema, "input"),
        RequestSync: schema(requestSyncSchema.omit({ idempotencyKey: true }), "input"),
        Integration: { type: "object", description: "An integration; secret settings appear as ********." },
        SyncExecution: {
          type: "object",
          properties: {
            id: { type: "string", format: "uuid" },
            status: { enum: [...SYNC_STATUSES] },
            mode: { enum: SYNC_MODES },
            trigger: { enum: ["config_saved", "evidence_updated", "manual", "schedule", "api"] },
            startedByType: { enum: SYNC_STARTER_TYPES },
            startedByName: { type: "string" },
            message: { type: ["string", "null"] },
            queuedAt: { type: "string", format: "date-time" },
            startedAt: { type: ["string", "null"], format: "date-time" },
            endedAt: { type: ["string", "null"], format: "date-time" },
            processed: { type: "integer", description: "Records read so far" },
            total: { type: ["integer", "null"], description: "Records the source said it holds, when it says" },
            phase: { enum: [...SYNC_PHASES, null], description: "Where a running sync is; kept when it ends" },
            cancelRequestedAt: {
              type: ["string", "null"],
              format: "date-time",
              description: "Set while a running sync is being cancelled",
            },
            cancelledByName: { type: ["string", "null"], description: "Who cancelled the sync" },
            phaseStartedAt: { type: ["string", "null"], format: "date-time", description: "When the run entered its phase" },
            deadlineAt: {
              type: ["string", "null"],
              format: "date-time",
              description:
                "When a running sync is ended with an error: the earlier of its phase's deadline (comparing, checking, applying: 2 min plus 30 s per 100,000 records read) and runDeadlineAt",
            },
            runDeadlineAt: {
              type: ["string", "null"],
              format: "date-time",
              description: "The run's start plus its integration's maximum run time (maxRunMinutes)",
            },
            overdue: {
              type: "object",
              description:
                "Sync History: whether a running sync is past 80 % of its deadline, and if so for how long it has been at it (inPhaseMs) against which limit (kind phase or run, limitMs), and what is left (leftMs)",
              properties: {
                overdue: { type: "boolean" },
                kind: { enum: ["phase", "run"] },
                inPhaseMs: { type: "integer" },
                limitMs: { type: "integer" },
                leftMs: { type: "integer" },
              },
            },
            retryOfId: {
              type: ["string", "null"],
              format: "uuid",
              description: "GET /syncs/{id}: the run this one repeats, queued once when that run lost its database connection",
            },
            queue: {
              type: ["object", "null"],
              description:
                "For a queued sync (GET /syncs/{id} and Sync History): its place among this tenant's queued syncs, and whether it waits for a running sync of its integration",
              properties: { place: { type: "integer", minimum: 1 }, waitsForRun: { type: "boolean" } },
            },
            counts: { type: "object", description: "Per object type: extracted, created, updated, unchanged, deleted, skipped, errors" },
          },
        },
        CreateCampaign: {
          ...schema(createCampaignSchema, "input"),
          description:
            "reviewerMode `members` deals items to reviewerIds (admins or reviewers), keeping an account's items with one reviewer; `owners` gives each integration's items to its owner. `start: false` creates a draft.",
        },
        DecideItems: {
          ...schema(decideItemsSchema, "input"),
          description:
            "Either itemIds (at most 1000) or filter (every matching item, however many). A comment is required to revoke. A key decides any item; a member only their own.",
        },
        ReassignItems: {
          ...schema(reassignItemsSchema, "input"),
          description: "Either itemIds or filter; reviewerId must be an admin or reviewer.",
        },
        Campaign: {
          type: "object",
          properties: {
            id: { type: "string", format: "uuid" },
            name: { type: "string" },
            status: { enum: [...CAMPAIGN_STATUSES] },
            dueDate: { type: "string", format: "date" },
            itemCount: { type: "integer" },
            snapshotHash: { type: "string", description: "SHA-256 of the Sync Context, as the ledger's campaign entry records it" },
            itemsDigest: { type: "string" },
            decisionsDigest: {
              type: ["string", "null"],
              description: "Set at completion: SHA-256 over every decision, as the ledger's campaign_completion entry records it",
            },
            progress: {
              type: "array",
              description: "GET /campaigns/{id}: total, approved and revoked per integration and reviewer",
              items: { type: "object" },
            },
          },
        },
        ReviewItem: {
          type: "object",
          properties: {
            id: { type: "integer" },
            integrationId: { type: "string", format: "uuid" },
            integrationName: { type: "string" },
            syncExecutionId: { type: "string", format: "uuid", description: "The sync the item was copied from" },
            objectType: { enum: OBJECT_TYPES },
            externalId: { type: "string" },
            accountName: { type: ["string", "null"] },
            displayName: { type: ["string", "null"] },
            targetName: { type: ["string", "null"], description: "The group, role or entitlement" },
            reviewerId: { type: ["string", "null"], format: "uuid" },
            reviewerName: { type: ["string", "null"] },
            decision: { enum: [...REVIEW_DECISIONS, null] },
            comment: { type: ["string", "null"] },
            decidedByName: { type: ["string", "null"] },
            decidedAt: { type: ["string", "null"], format: "date-time" },
            remediation: {
              enum: [...REMEDIATION_STATUSES, null],
              description:
                "A revoke's remediation: pending (not carried out: provisioning is off for the application, or the item is a group, role or entitlement), in_progress (its revoke task is queued or running), remediated (the task succeeded or was confirmed), failed (the task failed or had no callback), verified (a later sync no longer saw the membership or account)",
            },
            remediationTaskId: {
              type: ["string", "null"],
              format: "uuid",
              description: "The provisioning task carrying out the revoke (the latest, after a retry): GET /provisioning/tasks/{id}",
            },
            remediationVerifiedSyncId: {
              type: ["string", "null"],
              format: "uuid",
              description: "The sync that no longer saw what was revoked: the removal's proof",
            },
          },
        },
        ManualOperation: {
          ...schema(manualOperationSchema, "input"),
          description:
            "One operation on one account of an integration whose provisioning is switched on. Account actions (create, update, delete, enable, disable) name the account by username; create and update may set `attributes` and bind or unbind groups; grant and revoke need `group`; only a grant may carry `expiresAt`",
        },
        ConfirmTask: {
          ...schema(confirmTaskSchema, "input"),
          description:
            "`reason` is required: why the operation counts as done. `uploadIds`: evidence files uploaded first (POST /api/uploads?purpose=evidence)",
        },
        RetryTask: { ...schema(retryTaskSchema, "input"), description: "The edited task parameters, checked as a new operation's are" },
        ProvisioningCallback: { ...schema(callbackBodySchema, "input"), description: "What the target reports on the task's callback URL" },
        ProvisioningTaskListItem: {
          type: "object",
          properties: {
            id: { type: "string", format: "uuid" },
            seq: { type: "integer", description: "Creation order; the cursor pages on it" },
            integrationId: { type: "string", format: "uuid" },
            integrationName: { type: "string", description: "The target application" },
            objectType: { enum: PROVISIONING_OBJECT_TYPES },
            action: { enum: PROVISIONING_ACTIONS },
            objectName: { type: "string", description: '"alice", or "alice → Engineering" for a membership' },
            source: { enum: PROVISIONING_SOURCES },
            status: { enum: PROVISIONING_STATUSES },
            attempts: { type: "integer" },
            message: { type: ["string", "null"], description: "The last error, as the target said it" },
            initiatorType: { enum: ACTOR_TYPES },
            initiatorName: { type: "string" },
            batchId: { type: ["string", "null"], format: "uuid" },
            retryOfId: { type: ["string", "null"], format: "uuid", description: "The task this one re-runs (Retry After Modification)" },
            createdAt: { type: "string", format: "date-time" },
            startedAt: { type: ["string", "null"], format: "date-time" },
            endedAt: { type: ["string", "null"], format: "date-time" },
          },
        },
        ProvisioningTask: {
          allOf: [
            { $ref: "#/components/schemas/ProvisioningTaskListItem" },
            {
              type: "object",
              properties: {
                integrationName: { type: "string" },
                outcome: {
                  enum: [...PROVISIONING_STATUSES, null],
                  description: "The status the task finished with, as its ledger entry records it",
                },
                parameters: { type: "object", description: "The task parameters: attributes, bindGroups, unbindGroups, group" },
                steps: {
                  type: "array",
                  description: "The operation log",
                  items: {
                    type: "object",
                    properties: {
                      at: { type: "string", format: "date-time" },
                      message: { type: "string" },
                      level: { enum: ["info", "warn", "error"] },
                    },
                  },
                },
                request: { type: ["object", "null"], description: "The outgoing request payload, secrets masked" },
                response: { type: ["object", "null"], description: "The target's response: status and body (size-capped)" },
                requestHash: { type: ["string", "null"] },
                responseHash: { type: ["string", "null"] },
                bindings: { type: ["object", "null"], description: "Account create/update: the groups bound, unbound and failed" },
                confirmedByName: { type: ["string", "null"] },
                confirmedAt: { type: ["string", "null"], format: "date-time" },
                confirmReason: { type: ["string", "null"] },
                confirmEvidence: { type: ["array", "null"], items: { type: "object" } },
              },
            },
          ],
        },
        SyncLogEntry: {
          type: "object",
          required: ["id", "objectType", "externalId", "name", "outcome", "reason"],
          properties: {
            id: { type: "integer", description: "Orders the log" },
            objectType: { enum: OBJECT_TYPES },
            externalId: {
              type: "string",
              description: "The record's id in the source; for a membership `groupExternalId|memberExternalId`",
            },
            name: {
              type: ["string", "null"],
              description:
                "An account's username, else display name, else email; a group's, role's or entitlement's name; a membership's `<member> in <group>`, by the names the same sync read, else their external ids. Null when the source gave none.",
            },
            outcome: { enum: SYNC_RECORD_OUTCOMES },
            reason: { type: ["string", "null"], description: "Why a record was skipped" },
          },
        },
      },
    },
    paths: {
      "/audit-events": {
        get: {
          operationId: "listAuditEvents",
          summary: "List audit events, newest first (scope audit_log:read)",
          parameters: [
            ...filterParameters(),
            { name: "cursor", in: "query", required: false, schema: { type: "string" }, description: "nextCursor of the previous page" },
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 1000, default: 100 } },
          ],
          responses: {
            "200": {
              description: "A page of events",
              content: pageOf("AuditEvent"),
            },
            ...errors,
          },
        },
      },
      "/audit-events/{id}": {
        get: {
          operationId: "getAuditEvent",
          summary: "One audit event with its field-level changes (scope audit_log:read)",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
          responses: {
            "200": {
              description: "The event",
              content: {
                "application/json": {
                  schema: { type: "object", properties: { data: { $ref: "#/components/schemas/AuditEvent" } } },
                },
              },
            },
            "404": { description: "No such event in this tenant" },
            ...errors,
          },
        },
      },
      "/integrations": {
        get: {
          operationId: "listIntegrations",
          summary: "List integrations with their last sync (scope integrations:read)",
          responses: { "200": { description: "Integrations", content: json("Integration") }, ...errors },
        },
        post: {
          operationId: "createIntegration",
          summary:
            "Create an integration (scope integrations:write); audited. Saving starts its first sync only when the key also has syncs:run: without it the integration is saved, `sync` is null and `notice` says no sync was started",
          requestBody: { required: true, content: json("CreateIntegration") },
          responses: {
            "201": { description: "Created, with the sync it started", content: dataOf("Integration") },
            "422": { description: "Invalid settings, per field" },
            ...errors,
          },
        },
      },
      "/integrations/{id}": {
        get: {
          operationId: "getIntegration",
          summary: "One integration (scope integrations:read)",
          parameters: [idParam],
          responses: {
            "200": { description: "The integration", content: dataOf("Integration") },
            "404": { description: "Not in this tenant" },
            ...errors,
          },
        },
        patch: {
          operationId: "updateIntegration",
          summary:
            "Change an integration (scope integrations:write); audited with a redacted diff. Starts a sync like a save in the UI when something changed and the key also has syncs:run; otherwise the change is saved, `sync` is null and `notice` says why. A PATCH that changes nothing starts nothing. Changing the URL requires typing the stored secret again",
          parameters: [idParam],
          requestBody: { required: true, content: json("UpdateIntegration") },
          responses: {
            "200": { description: "Updated", content: dataOf("Integration") },
            "404": { description: "Not in this tenant" },
            ...errors,
          },
        },
        delete: {
          operationId: "deleteIntegration",
          summary: "Delete an integration; its sync history is kept (scope integrations:write)",
          parameters: [idParam],
          responses: { "204": { description: "Deleted" }, ...errors },
        },
      },
      "/integrations/{id}/logo": {
        put: {
          operationId: "setIntegrationLogo",
          summary:
            "Upload the integration's logo as the raw request body (scope integrations:write): PNG, JPEG, WebP or GIF of up to 256 KB, judged by its bytes; SVG is refused. Audited; starts no sync. Logos are not linked by URL: a create or PATCH that sends logoUrl is refused with 400",
          parameters: [idParam],
          requestBody: {
            required: true,
            content: {
              "image/png": { schema: { type: "string", format: "binary" } },
              "image/jpeg": { schema: { type: "string", format: "binary" } },
              "image/webp": { schema: { type: "string", format: "binary" } },
              "image/gif": { schema: { type: "string", format: "binary" } },
            },
          },
          responses: {
            "200": { description: "The integration with its new logo", content: dataOf("Integration") },
            "404": { description: "Not in this tenant" },
            "422": { description: "Not an accepted image, or too large" },
            ...errors,
          },
        },
        delete: {
          operationId: "removeIntegrationLogo",
          summary: "Remove the integration's logo (scope integrations:write); audited",
          parameters: [idParam],
          responses: {
            "200": { description: "The integration without a logo", content: dataOf("Integration") },
            "404": { description: "Not in this tenant" },
            ...errors,
          },
        },
      },
      "/integrations/{id}/syncs": {
        get: {
          operationId: "listSyncs",
          summary: "Sync History, newest first (scope syncs:read)",
          parameters: [
            idParam,
            { name: "cursor", in: "query", required: false, schema: { type: "string" } },
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 200 } },
          ],
          responses: { "200": { description: "A page of syncs", content: dataOf("SyncExecution") }, ...errors },
        },
        post: {
          operationId: "startSync",
          summary:
            "Start a sync (scope syncs:run); the same Idempotency-Key returns the same sync. While a sync of the integration is queued, the request joins it (a full request makes it full) and the answer says `joined: true`",
          parameters: [idParam, { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 200 } }],
          requestBody: { required: false, content: json("RequestSync") },
          responses: {
            "202": { description: "Queued, or joined the sync already queued (joined: true)", content: joinedOf("SyncExecution") },
            "200": { description: "Replayed: the sync this key started before", content: joinedOf("SyncExecution") },
            ...errors,
          },
        },
      },
      "/syncs/{id}": {
        get: {
          operationId: "getSync",
          summary: "One sync execution with counts, progress, phase and queue place (scope syncs:read)",
          parameters: [idParam],
          responses: { "200": { description: "The sync", content: dataOf("SyncExecution") }, ...errors },
        },
      },
      "/syncs/{id}/cancel": {
        post: {
          operationId: "cancelSync",
          summary:
            "Cancel a queued, held or running sync (scope syncs:run); audited. Nothing of a cancelled sync is applied; its staged records stay in its Sync Log",
          parameters: [idParam],
          responses: {
            "200": { description: "Cancelled at once: it had not started (queued) or was held", content: dataOf("SyncExecution") },
            "202": {
              description: "Running: asked to stop; it ends `cancelled` within seconds (poll GET /syncs/{id})",
              content: dataOf("SyncExecution"),
            },
            "404": { description: "No such sync in this tenant" },
            "409": { description: "The sync already ended, or is already being cancelled" },
            ...errors,
          },
        },
      },
      "/syncs/{id}/log": {
        get: {
          operationId: "listSyncLog",
          summary:
            "The sync's Sync Log, 100 records a page in log order: what the sync did with each record, and the record's name (scope syncs:read)",
          parameters: [
            idParam,
            { name: "outcome", in: "query", required: false, schema: { type: "string", enum: SYNC_RECORD_OUTCOMES } },
            { name: "objectType", in: "query", required: false, schema: { type: "string", enum: OBJECT_TYPES } },
            {
              name: "q",
              in: "query",
              required: false,
              description: "Text the external id or the name contains (case-insensitive)",
              schema: { type: "string", maxLength: 200 },
            },
            { name: "cursor", in: "query", required: false, description: "nextCursor of the previous page", schema: { type: "string" } },
          ],
          responses: {
            "200": {
              description: "A page of the log",
              content: pageOf("SyncLogEntry"),
            },
            "404": { description: "No such sync in this tenant" },
            ...errors,
          },
        },
      },
      "/integrations/{id}/evidence": {
        post: {
          operationId: "attachEvidence",
          summary:
            "Attach audit evidence and start the sync that owns it (scopes evidence:write and syncs:run; without syncs:run the request is refused with 403 before any file is stored): multipart form data with `notes` (Lexical JSON or Markdown) and up to 10 `files` of at most 25 MB each (PDF, PNG, JPG, CSV, Excel, Word, JSON; checked by content). Audited and sealed into the ledger",
          parameters: [idParam],
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: {
                  type: "object",
                  properties: {
                    notes: { type: "string" },
                    files: { type: "array", maxItems: 10, items: { type: "string", format: "binary" } },
                  },
                },
              },
            },
          },
          responses: {
            "201": {
              description: "The evidence record and the sync it belongs to",
              content: { "application/json": { schema: { type: "object" } } },
            },
            "422": { description: "A file was refused (named, with the reason), too many files, or bad notes; nothing is kept" },
            ...errors,
          },
        },
      },
      "/syncs/{id}/evidence": {
        get: {
          operationId: "getSyncEvidence",
          summary:
            "The sync's evidence: who attached it, the notes as sanitized HTML, each file with name, type, size, SHA-256 and a download link valid for 5 minutes (issuing it is audited), and the ledger verification (scope evidence:read)",
          parameters: [idParam],
          responses: {
            "200": { description: "The evidence", content: { "application/json": { schema: { type: "object" } } } },
            "404": { description: "No evidence for this sync" },
            ...errors,
          },
        },
      },
      "/ledger/verify": {
        get: {
          operationId: "verifyLedger",
          summary:
            "Verify the tenant's ledger: chain, hashes, live records, evidence files and manifests, and signed checkpoints; problems are listed first bad entry first (scope ledger:read); audited",
          responses: {
            "200": {
              description: "The result (ok is false when anything does not verify)",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      data: {
                        type: "object",
                        properties: {
                          ok: { type: "boolean" },
                          entries: { type: "integer" },
                          filesChecked: { type: "integer" },
                          checkpoint: { type: "object", nullable: true },
                          problems: {
                            type: "array",
                            items: { type: "object", properties: { seq: { type: "integer" }, reason: { type: "string" } } },
                          },
                          durationMs: { type: "integer" },
                        },
                      },
                    },
                  },
                },
              },
            },
            ...errors,
          },
        },
      },
      "/ledger/checkpoint": {
        get: {
          operationId: "getLedgerCheckpoint",
          summary:
            "The latest checkpoint as a C2SP signed note (c2sp.org/tlog-checkpoint, c2sp.org/signed-note): origin `<host>/ledger/<tenant slug>`, tree size, base64 root hash, Ed25519 signature by the key named after the origin (scope ledger:read). The verifier key comes in the Ledger-Verifier-Key header, or with format=json",
          parameters: [
            { name: "format", in: "query", required: false, schema: { type: "string", enum: ["note", "json"], default: "note" } },
          ],
          responses: {
            "200": {
              description: "The signed note (text/plain), or with format=json the note and its verifier key",
              headers: {
                "Ledger-Verifier-Key": {
                  description: "`<origin>+<key hash>+<base64 key>`, as golang.org/x/mod/sumdb/note reads it",
                  schema: { type: "string" },
                },
              },
              content: {
                "text/plain": { schema: { type: "string" } },
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      data: {
                        type: "object",
                        properties: {
                          origin: { type: "string" },
                          treeSize: { type: "integer" },
                          rootHash: { type: "string", description: "base64" },
                          createdAt: { type: "string", format: "date-time" },
                          note: { type: "string" },
                          verifierKey: { type: "string" },
                        },
                      },
                    },
                  },
                },
              },
            },
            "404": { description: "No checkpoint has been signed yet" },
            ...errors,
          },
        },
      },
      "/ledger/proof": {
        get: {
          operationId: "getLedgerProof",
          summary:
            "An RFC 9162 proof against the latest checkpoint, hashes in base64 (scope ledger:read): with seq, the inclusion proof of that entry (leaf index seq - 1, leaf hash SHA-256(0x00 || entry hash bytes)); with from, the consistency proof from that tree size. Give exactly one",
          parameters: [
            { name: "seq", in: "query", required: false, schema: { type: "integer", minimum: 1 } },
            { name: "from", in: "query", required: false, schema: { type: "integer", minimum: 1 } },
          ],
          responses: {
            "200": {
              description: "The proof",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      data: {
                        type: "object",
                        properties: {
                          type: { type: "string", enum: ["inclusion", "consistency"] },
                          treeSize: { type: "integer" },
                          rootHash: { type: "string" },
                          seq: { type: "integer" },
                          index: { type: "integer" },
                          entryHash: { type: "string", description: "hex" },
                          leafHash: { type: "string" },
                          oldSize: { type: "integer" },
                          oldRootHash: { type: "string" },
                          proof: { type: "array", items: { type: "string" } },
                        },
                      },
                    },
                  },
                },
              },
            },
            "404": { description: "No checkpoint yet, or the latest one does not cover seq or from yet" },
            ...errors,
          },
        },
      },
      "/campaigns": {
        get: {
          operationId: "listCampaigns",
          summary: "Campaigns newest first, with decided and total counts (scope campaigns:read)",
          parameters: [
            { name: "cursor", in: "query", required: false, schema: { type: "string" } },
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100, default: 25 } },
          ],
          responses: { "200": { description: "A page of campaigns", content: pageOf("Campaign") }, ...errors },
        },
        post: {
          operationId: "createCampaign",
          summary:
            "Create a campaign (scope campaigns:write): freezes the Sync Context of each included integration's latest completed sync and copies the review items; audited and sealed into the ledger",
          requestBody: { required: true, content: json("CreateCampaign") },
          responses: {
            "201": {
              description: "Created",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: { data: { type: "object", properties: { id: { type: "string" }, itemCount: { type: "integer" } } } },
                  },
                },
              },
            },
            "422": { description: "Invalid input per field; an integration without a completed sync; a filter that selects nothing" },
            ...errors,
          },
        },
      },
      "/campaigns/{id}": {
        get: {
          operationId: "getCampaign",
          summary: "One campaign with its progress (scope campaigns:read)",
          parameters: [idParam],
          responses: {
            "200": { description: "The campaign", content: dataOf("Campaign") },
            "404": { description: "Not in this tenant" },
            ...errors,
          },
        },
      },
      "/campaigns/{id}/sync-context": {
        get: {
          operationId: "getCampaignSyncContext",
          summary:
            "The Sync Context frozen at creation: per integration its name, sync status and times, message, evidence notes and files (name, size, type, SHA-256, whether still in storage), whether it has synced since and the count changes; logos are not inlined (scope campaigns:read)",
          parameters: [idParam],
          responses: {
            "200": { description: "The Sync Context", content: { "application/json": { schema: { type: "object" } } } },
            ...errors,
          },
        },
      },
      "/campaigns/{id}/items": {
        get: {
          operationId: "listReviewItems",
          summary: "Review items in id order (scope campaigns:read)",
          parameters: [
            idParam,
            { name: "reviewerId", in: "query", required: false, schema: { type: "string", format: "uuid" } },
            { name: "integrationId", in: "query", required: false, schema: { type: "string", format: "uuid" } },
            { name: "objectType", in: "query", required: false, schema: { type: "string", enum: OBJECT_TYPES } },
            { name: "status", in: "query", required: false, schema: { type: "string", enum: ["undecided", ...REVIEW_DECISIONS] } },
            {
              name: "q",
              in: "query",
              required: false,
              description: "Text in the account, display or group name",
              schema: { type: "string" },
            },
            { name: "cursor", in: "query", required: false, schema: { type: "string" } },
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 500, default: 50 } },
          ],
          responses: { "200": { description: "A page of items", content: pageOf("ReviewItem") }, ...errors },
        },
      },
      "/campaigns/{id}/items/decisions": {
        post: {
          operationId: "decideReviewItems",
          summary:
            "Approve or revoke items by ids or for a filtered set, in one transaction (scope campaigns:decide); one audit event. Only while the campaign is active; a decision may change until completion; at completion a revoke becomes a revoke task where the application is provisioned",
          parameters: [idParam],
          requestBody: { required: true, content: json("DecideItems") },
          responses: {
            "200": {
              description: "How many were decided, how many were undecided before and how many changed",
              content: { "application/json": { schema: { type: "object" } } },
            },
            "404": { description: "No such campaign, or an item id not in it" },
            "409": { description: "The campaign is a draft, completed or cancelled" },
            "422": { description: "Invalid input per field (e.g. a revoke without a comment), or no item matches the filter" },
            ...errors,
          },
        },
      },
      "/campaigns/{id}/items/reassign": {
        post: {
          operationId: "reassignReviewItems",
          summary: "Move items to another reviewer (scope campaigns:write); audited. While the campaign is a draft or active",
          parameters: [idParam],
          requestBody: { required: true, content: json("ReassignItems") },
          responses: { "200": { description: "How many moved" }, "409": { description: "The campaign has ended" }, ...errors },
        },
      },
      "/campaigns/{id}/start": {
        post: {
          operationId: "startCampaign",
          summary: "Open a draft to its reviewers (scope campaigns:write); audited",
          parameters: [idParam],
          responses: { "200": { description: "Started" }, "409": { description: "Not a draft" }, ...errors },
        },
      },
      "/campaigns/{id}/cancel": {
        post: {
          operationId: "cancelCampaign",
          summary: "Cancel a draft or active campaign with a reason (scope campaigns:write); audited",
          parameters: [idParam],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { type: "object", required: ["reason"], properties: { reason: { type: "string" } } } },
            },
          },
          responses: { "200": { description: "Cancelled" }, "409": { description: "Already completed or cancelled" }, ...errors },
        },
      },
      "/campaigns/{id}/complete": {
        post: {
          operationId: "completeCampaign",
          summary:
            "Complete an active campaign (scope campaigns:write): freezes its decisions and seals their digest and totals into the ledger as a campaign_completion entry; audited. Refused while items are undecided unless `force` is true, and then the record says how many were left undecided",
          parameters: [idParam],
          requestBody: {
            required: false,
            content: { "application/json": { schema: { type: "object", properties: { force: { type: "boolean", default: false } } } } },
          },
          responses: {
            "200": {
              description: "Completed: decisionsDigest, totals and a message",
              content: { "application/json": { schema: { type: "object" } } },
            },
            "409": { description: "A draft, already ended, or undecided items without force" },
            ...errors,
          },
        },
      },
      "/campaigns/{id}/report": {
        get: {
          operationId: "getCampaignReport",
          summary:
            "The campaign's Audit Report (scope campaigns:write; campaigns:read is not enough, the report carries every decision and comment): a PDF, or a ZIP with decisions.csv, sync-context.json (the Sync Context as the ledger sealed it), evidence-manifest.json, proof-bundle.json and report.pdf that `npm run ledger:verify-bundle` verifies as downloaded; audited",
          parameters: [
            idParam,
            { name: "format", in: "query", required: false, schema: { type: "string", enum: ["pdf", "zip"], default: "pdf" } },
          ],
          responses: {
            "200": {
              description: "The report, as an attachment",
              content: {
                "application/pdf": { schema: { type: "string", format: "binary" } },
                "application/zip": { schema: { type: "string", format: "binary" } },
              },
            },
            "404": { description: "No such campaign" },
            ...errors,
          },
        },
      },
      "/provisioning/tasks": {
        get: {
          operationId: "listProvisioningTasks",
          summary:
            "The Synchronization Logs: provisioning tasks newest first, in keyset pages of 100 (scope provisioning:read), with the filters of the /provisioning page",
          parameters: [
            ...taskFilterParameters(),
            { name: "cursor", in: "query", required: false, description: "nextCursor of the previous page", schema: { type: "string" } },
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 1000, default: 100 } },
          ],
          responses: {
            "200": { description: "A page of tasks", content: pageOf("ProvisioningTaskListItem") },
            "422": { description: "A filter is not valid (the message names it)" },
            ...errors,
          },
        },
        post: {
          operationId: "createProvisioningTask",
          summary: "A manual operation (scope provisioning:write): one task, queued for the workers; audited",
          requestBody: { required: true, content: json("ManualOperation") },
          responses: {
            "201": { description: "The queued task", content: dataOf("ProvisioningTask") },
            "404": { description: "No such integration in this tenant" },
            "409": { description: "Provisioning is switched off for the integration: nothing was queued" },
            "422": { description: "Invalid input per field" },
            ...errors,
          },
        },
      },
      "/provisioning/tasks/{id}": {
        get: {
          operationId: "getProvisioningTask",
          summary: "One task with its operation log, parameters, outgoing request, response and bindings (scope provisioning:read)",
          parameters: [idParam],
          responses: {
            "200": { description: "The task", content: dataOf("ProvisioningTask") },
            "404": { description: "No such task in this tenant" },
            ...errors,
          },
        },
      },
      "/provisioning/tasks/{id}/confirm": {
        post: {
          operationId: "confirmProvisioningTask",
          summary:
            "Confirm a failed or no-callback task (or a manual task waiting for fulfilment) as done by hand on the target (scope provisioning:write). A reason is required; evidence files optional. The task counts as successful, held tasks on the same object proceed, and SyncLedger applies its own side (a confirmed delete or revoke leaves its current state). Audited and sealed into the ledger",
          parameters: [idParam],
          requestBody: { required: true, content: json("ConfirmTask") },
          responses: {
            "200": { description: "The confirmed task", content: dataOf("ProvisioningTask") },
            "404": { description: "No such task in this tenant" },
            "409": { description: "The task is not failed, no callback or waiting for manual fulfilment" },
            "422": { description: "No reason given, or an upload id that is not this tenant's evidence file" },
            ...errors,
          },
        },
      },
      "/provisioning/tasks/{id}/retry": {
        post: {
          operationId: "retryProvisioningTask",
          summary:
            "Retry After Modification (scope provisioning:write): the edited parameters run as a new task (source retry_after_modification, retryOfId = this task); this task becomes superseded. Only on failed and no-callback tasks; audited",
          parameters: [idParam],
          requestBody: { required: true, content: json("RetryTask") },
          responses: {
            "201": { description: "The new task", content: dataOf("ProvisioningTask") },
            "404": { description: "No such task in this tenant" },
            "409": { description: "The task is not failed or no callback" },
            "422": { description: "Parameters the action does not accept, per field" },
            ...errors,
          },
        },
      },
      "/provisioning/tasks/{id}/cancel": {
        post: {
          operationId: "cancelProvisioningTask",
          summary: "Cancel a pending task before it runs (scope provisioning:write); audited",
          parameters: [idParam],
          responses: {
            "200": { description: "The cancelled task", content: dataOf("ProvisioningTask") },
            "404": { description: "No such task in this tenant" },
            "409": { description: "The task is no longer pending" },
            ...errors,
          },
        },
      },
      "/provisioning/batches": {
        post: {
          operationId: "createProvisioningBatch",
          summary:
            "Batch provisioning (scope provisioning:write): a UTF-8 CSV of manual operations for one integration, one task per valid row (header columns: action and username required; external_id, group, group_name, email, display_name, given_name, family_name, title, department, expires_at optional; at most 10,000 rows and 5 MiB); rows that are not valid are reported by line and nothing of them is queued. Audited",
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: {
                  type: "object",
                  required: ["integrationId", "file"],
                  properties: {
                    integrationId: {
                      type: "string",
                      format: "uuid",
                      description: "The integration the operations are for; its provisioning must be on",
                    },
                    file: { type: "string", format: "binary", description: "The CSV file" },
                  },
                },
              },
            },
          },
          responses: {
            "201": {
              description: "The batch: its id, how many tasks were queued, and the refused rows with their line numbers and messages",
              content: { "application/json": { schema: { type: "object" } } },
            },
            "422": { description: "The file is not a CSV of operations, or no row is valid" },
            ...errors,
          },
        },
      },
      "/provisioning/batches/{id}": {
        get: {
          operationId: "getProvisioningBatch",
          summary: "A batch's progress (scope provisioning:read): how many of its tasks are in each status, and the refused rows",
          parameters: [idParam],
          responses: {
            "200": { description: "The batch and its counts per status", content: { "application/json": { schema: { type: "object" } } } },
            "404": { description: "No such batch in this tenant" },
            ...errors,
          },
        },
      },
      "/provisioning/callbacks/{id}": {
        post: {
          operationId: "provisioningCallback",
          summary:
            "For callback targets, not API keys: the target reports a task's outcome on the URL it was sent with the operation (`?token=…`, single use, expiring after the integration's callback timeout). No Authorization header",
          security: [],
          parameters: [
            idParam,
            {
              name: "token",
              in: "query",
              required: true,
              description: "The task's callback token, as it was in the URL sent",
              schema: { type: "string" },
            },
          ],
          requestBody: { required: true, content: json("ProvisioningCallback") },
          responses: {
            "200": { description: "Recorded: the task ends success or failed" },
            "401": { description: "A wrong token" },
            "404": { description: "No such task" },
            "409": { description: "The callback was already used, or came after the task ended no callback" },
            "422": { description: "A body that is not a callback" },
          },
        },
      },
      "/audit-events/export": {
        get: {
          operationId: "exportAuditEvents",
          summary: "Stream the filtered audit log as CSV or JSON Lines (scope audit_log:export); the export is audited",
          parameters: [
            { name: "format", in: "query", required: true, schema: { type: "string", enum: ["csv", "jsonl"] } },
            ...filterParameters(),
          ],
          responses: {
            "200": {
              description: "The export, as an attachment",
              content: { "text/csv": { schema: { type: "string" } }, "application/x-ndjson": { schema: { type: "string" } } },
            },
            ...errors,
          },
        },
      },
    },
  };
}
