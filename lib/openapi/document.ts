/**
 * The OpenAPI 3.1 document for /api/v1, generated from the same zod schemas
 * the handlers validate with (JSON Schema 2020-12 is OpenAPI 3.1's dialect).
 */
import { z } from "zod";
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES } from "@/lib/audit/catalog";
import { auditEventFiltersSchema } from "@/lib/audit/schemas";
import { API_KEY_SCOPES } from "@/lib/auth/permissions";

const fieldChangeSchema = z.object({ field: z.string(), before: z.unknown(), after: z.unknown() });

export const auditEventSchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  occurredAt: z.iso.datetime(),
  actorType: z.enum(["user", "api_key", "system"]),
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

function schema(s: z.ZodType) {
  return z.toJSONSchema(s, { target: "draft-2020-12", io: "output", unrepresentable: "any" });
}

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

const errors = {
  "400": { description: "Invalid input", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  "401": { description: "Missing, unknown, revoked or expired API key", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
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
      schemas: { AuditEvent: schema(auditEventSchema), Error: schema(errorSchema) },
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
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    required: ["data", "nextCursor"],
                    properties: {
                      data: { type: "array", items: { $ref: "#/components/schemas/AuditEvent" } },
                      nextCursor: { type: ["string", "null"] },
                    },
                  },
                },
              },
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
