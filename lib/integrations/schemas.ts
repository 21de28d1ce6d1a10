/** Integration inputs, shared by the form, the server actions and the REST API. Client-safe. */
import "@/lib/zod-browser";
import { z } from "zod";
import { mappingConfigSchema } from "@/lib/connectors/canonical";
import { CONNECTOR_TYPES, OBJECT_TYPES } from "@/lib/domain/enums";
import { DEFAULT_MAX_RUN_MINUTES, MAX_RUN_MINUTES_LIMIT } from "@/lib/syncs/deadline";

const blankToNull = (v: unknown) => (v === "" || v === undefined ? null : v);
const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);

export const connectorTypeSchema = z.enum(CONNECTOR_TYPES, {
  message: `must be ${CONNECTOR_TYPES.slice(0, -1).join(", ")} or ${CONNECTOR_TYPES.at(-1)}`,
});

export const integrationFieldsSchema = z.object({
  name: z.string().trim().min(2, "must be at least 2 characters").max(120, "must be at most 120 characters"),
  config: z.record(z.string(), z.unknown(), { message: "must be an object of connector settings" }),
  mapping: mappingConfigSchema.optional(),
  scheduleMinutes: z.preprocess(
    blankToNull,
    z.coerce.number().int().min(5, "must be at least 5 minutes").max(10080, "must be at most a week (10080)").nullable(),
  ),
  dropThresholdPercent: z.preprocess(
    blankToUndefined,
    z.coerce.number().int().min(1, "must be between 1 and 100").max(100, "must be between 1 and 100").default(30),
  ),
  /** How long one sync may run before it is ended `error` (lib/syncs/deadline.ts). */
  maxRunMinutes: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ message: "must be a whole number of minutes" })
      .int("must be a whole number of minutes")
      .min(1, `must be between 1 and ${MAX_RUN_MINUTES_LIMIT} minutes (a day)`)
      .max(MAX_RUN_MINUTES_LIMIT, `must be between 1 and ${MAX_RUN_MINUTES_LIMIT} minutes (a day)`)
      .default(DEFAULT_MAX_RUN_MINUTES),
  ),
  /** An upload of purpose "logo" (POST /api/uploads?purpose=logo); null removes the logo. */
  logoUploadId: z.preprocess(blankToNull, z.uuid("is not an uploaded logo; upload the image again").nullable()),
  /** Audit evidence captured with this save (notes and uploaded file ids); checked by the evidence service. */
  evidence: z.object({ notes: z.unknown().optional(), uploadIds: z.array(z.string()).optional() }).optional(),
});

export const createIntegrationSchema = integrationFieldsSchema.extend({
  connector: connectorTypeSchema,
  scheduleMinutes: integrationFieldsSchema.shape.scheduleMinutes.optional(),
  logoUploadId: integrationFieldsSchema.shape.logoUploadId.optional(),
});
/**
 * Logos used to be linked from any URL, which put every member's browser in
 * touch with that host. An input that still names one is refused with what to
 * do instead; null (no logo) is still understood.
 */
export const LOGO_URL_REFUSED =
  "Logos are no longer linked by URL: upload the image instead (PNG, JPEG, WebP or GIF, up to 256 KB) in the integration's form, or PUT it to /api/v1/integrations/{id}/logo.";

export function sendsLogoUrl(input: unknown): boolean {
  const value = input && typeof input === "object" ? (input as Record<string, unknown>).logoUrl : undefined;
  return value !== undefined && value !== null && value !== "";
}

export type CreateIntegrationInput = z.input<typeof createIntegrationSchema>;

export const updateIntegrationSchema = integrationFieldsSchema.partial();
export type UpdateIntegrationInput = z.input<typeof updateIntegrationSchema>;

export const testConnectionSchema = z.object({
  connector: connectorTypeSchema,
  config: z.record(z.string(), z.unknown()),
  /** When editing: secrets left blank are taken from this integration. */
  integrationId: z.uuid().optional(),
});

export const cursorActionSchema = z.object({
  integrationId: z.uuid("is not a valid integration id"),
  objectType: z.enum(OBJECT_TYPES, { message: "is not an object type" }),
});
