/**
 * The shape of a campaign's filter, as stored with the campaign and recorded
 * in its Sync Context. A leaf like ./enums: the zod schema that accepts it is
 * in lib/campaigns/schemas.ts.
 */
import type { ConditionOperator, ObjectType } from "./enums";

export type AttributeCondition = {
  /** A canonical account field (CANONICAL_FIELDS.account). */
  field: string;
  operator: ConditionOperator;
  /** Compared case-insensitively; absent for is_empty / is_not_empty. */
  value?: string;
};

export type CampaignFilter = {
  integrationIds: string[];
  entityTypes: ObjectType[];
  /**
   * External ids of groups, roles or entitlements: when given, memberships
   * are kept only in these, accounts only when they are members of one, and
   * groups, roles and entitlements only when they are one.
   */
  groups: string[];
  /** Conditions every account must meet; a membership is kept when its member account meets them. */
  conditions: AttributeCondition[];
};
