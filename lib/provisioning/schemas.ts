/**
 * What provisioning accepts from a form, the API or a batch row. Client-safe:
 * the forms validate with the rules the service applies.
 */
import "@/lib/zod-browser";
import { z } from "zod";
import {
  CANONICAL_FIELDS,
  PROVISIONING_ACTIONS,
  PROVISIONING_ACTIONS_BY_OBJECT,
  PROVISIONING_MODES,
  PROVISIONING_OBJECT_TYPES,
  PROVISIONING_SOURCES,
  PROVISIONING_STATUSES,
  type ProvisioningAction,
  type ProvisioningObjectType,
} from "@/lib/domain/enums";

export const CONFIRM_REASON_MAX = 2000;
export const MAX_GROUPS_PER_TASK = 100;
export const TASK_PAGE_SIZE = 100;
/** Account fields an operation may set: the canonical ones but the external id, which the target assigns. */
export const PROVISIONABLE_ACCOUNT_FIELDS = CANONICAL_FIELDS.account.filter((f) => f !== "externalId" && f !== "status");

const uuid = z.uuid("is not a valid id");
const text = (max: number) => z.string({ error: "is required" }).trim().min(1, "is required").max(max, `must be at most ${max} characters`);

/** Which object type an action works on. */
export function objectTypeOf(action: ProvisioningAction): ProvisioningObjectType {
  return PROVISIONING_ACTIONS_BY_OBJECT.membership.includes(action) ? "membership" : "account";
}

export const accountRefSchema = z.object({
  username: text(256),
  externalId: z.string().trim().min(1).max(1024).nullish(),
});

const attributesSchema = z.record(z.string(), z.string().trim().max(1024).nullable()).superRefine((attrs, ctx) => {
  for (const key of Object.keys(attrs)) {
    if (!(PROVISIONABLE_ACCOUNT_FIELDS as readonly string[]).includes(key)) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `is not an account field; use one of ${PROVISIONABLE_ACCOUNT_FIELDS.join(", ")}`,
      });
    }
  }
});

const groupIds = z.array(z.string().trim().min(1).max(1024)).max(MAX_GROUPS_PER_TASK).optional();

/**
 * The parameters of one operation, as stored on the task and edited by Retry
 * After Modification: what to set, which groups to bind and unbind, which
 * group to grant or revoke.
 */
export const taskParametersSchema = z.object({
  attributes: attributesSchema.optional(),
  bindGroups: groupIds,
  unbindGroups: groupIds,
  group: z.object({ externalId: text(1024), name: z.string().trim().max(500).nullish() }).optional(),
});
export type TaskParameters = z.infer<typeof taskParametersSchema>;

/** A manual operation from the account page, the API or a batch row. */
export const manualOperationSchema = z
  .object({
    integrationId: uuid,
    action: z.enum(PROVISIONING_ACTIONS),
    account: accountRefSchema,
    /** A grant's expiry (ISO date-time, in the future): the permission is revoked then. */
    expiresAt: z.iso.datetime({ offset: true, error: "must be a date and time, e.g. 2027-01-31T00:00:00Z" }).optional(),
  })
  .extend(taskParametersSchema.shape)
  .superRefine((op, ctx) => checkParameters(op.action, op, ctx, op.expiresAt));
export type ManualOperationInput = z.input<typeof manualOperationSchema>;
export type ManualOperation = z.infer<typeof manualOperationSchema>;

/** The rules that tie an action to its parameters, shared by a new operation and a retry's edited parameters. */
export function checkParameters(action: ProvisioningAction, p: TaskParameters, ctx: z.RefinementCtx, expiresAt?: string) {
  const membership = objectTypeOf(action) === "membership";
  if (membership && !p.group) ctx.addIssue({ code: "custom", path: ["group"], message: `is required to ${action} a group membership` });
  if (!membership && p.group) ctx.addIssue({ code: "custom", path: ["group"], message: `is only for grant and revoke, not ${action}` });
  if (action === "create" && !p.attributes?.username && p.attributes?.username !== undefined) {
    ctx.addIssue({ code: "custom", path: ["attributes", "username"], message: "cannot be empty for a new account" });
  }
  if (action !== "create" && action !== "update" && (p.attributes || p.bindGroups?.length || p.unbindGroups?.length)) {
    ctx.addIssue({ code: "custom", path: ["attributes"], message: `only create and update set attributes or bind groups, not ${action}` });
  }
  if (action === "create" && p.unbindGroups?.length)
    ctx.addIssue({ code: "custom", path: ["unbindGroups"], message: "a new account has no groups to unbind" });
  if (expiresAt !== undefined) {
    if (action !== "grant") ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "only a grant can expire" });
    else if (Date.parse(expiresAt) <= Date.now()) ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "must be in the future" });
  }
}

/** The Synchronization Logs filters; every one optional, all combined with AND. */
export const taskFiltersSchema = z.object({
  integrationId: uuid.optional(),
  objectType: z.enum(PROVISIONING_OBJECT_TYPES).optional(),
  action: z.enum(PROVISIONING_ACTIONS).optional(),
  source: z.enum(PROVISIONING_SOURCES).optional(),
  status: z.enum(PROVISIONING_STATUSES).optional(),
  /** Part of the initiator's name. */
  initiator: z.string().trim().max(200).optional(),
  /** Part of the object's name (username, group). */
  q: z.string().trim().max(200).optional(),
  batchId: uuid.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Keyset cursor: the seq of the last row of the previous page. */
  after: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(TASK_PAGE_SIZE),
});
export type TaskFilters = z.infer<typeof taskFiltersSchema>;
export const TASK_FILTER_KEYS = [
  "integrationId",
  "objectType",
  "action",
  "source",
  "status",
  "initiator",
  "q",
  "batchId",
  "from",
  "to",
] as const;

export const confirmTaskSchema = z.object({
  reason: text(CONFIRM_REASON_MAX).describe("why the operation counts as done"),
  /** Evidence files uploaded first through the evidence upload path (lib/uploads, purpose "evidence"). */
  uploadIds: z.array(uuid).max(20).default([]),
});
export type ConfirmTaskInput = z.input<typeof confirmTaskSchema>;

export const retryTaskSchema = z.object({ parameters: taskParametersSchema });
export type RetryTaskInput = z.input<typeof retryTaskSchema>;

/** The callback endpoint's settings (callback mode); the token is write-only. */
export const callbackSettingsSchema = z.object({
  url: z
    .string()
    .trim()
    .pipe(z.url({ protocol: /^https?$/, error: "Enter the endpoint's URL, e.g. https://hr.example.com/provisioning" })),
  token: z.string().min(1).max(4096).optional(),
});

export const provisioningSettingsSchema = z
  .object({
    integrationId: uuid,
    enabled: z.boolean(),
    mode: z.enum(PROVISIONING_MODES),
    /** The connector's own provisioning settings (connector mode), checked with its provisioner's schema. */
    settings: z.record(z.string(), z.unknown()).default({}),
    callback: callbackSettingsSchema.optional(),
    callbackTimeoutMinutes: z.coerce.number().int().min(1).max(10_080).default(60),
  })
  .superRefine((s, ctx) => {
    if (s.mode === "callback" && !s.callback)
      ctx.addIssue({ code: "custom", path: ["callback", "url"], message: "is required for a callback endpoint" });
  });
export type ProvisioningSettingsInput = z.input<typeof provisioningSettingsSchema>;

/** What the target reports on its callback URL. */
export const callbackBodySchema = z.object({
  status: z.enum(["success", "failed"]),
  message: z.string().max(4000).optional(),
  accountExternalId: z.string().trim().min(1).max(1024).optional(),
});
