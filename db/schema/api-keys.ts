/** API keys of a tenant, and the sign-in attempts the throttle counts. */
import { sql } from "drizzle-orm";
import { boolean, index, inet, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";
import { tenantId } from "./tenants";

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
    name: text("name").notNull(),
    /** The public part shown in lists, e.g. "slk_3f9a1c2b". */
    prefix: text("prefix").notNull(),
    /** SHA-256 of the full key; keys are 256-bit random so a fast hash is enough. */
    secretHash: text("secret_hash").notNull().unique(),
    scopes: text("scopes").array().notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    createdByName: text("created_by_name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("api_keys_tenant_id_created_at_idx").on(t.tenantId, t.createdAt)],
);

export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    ip: inet("ip"),
    succeeded: boolean("succeeded").notNull(),
    attemptedAt: timestamp("attempted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("login_attempts_lower_email_attempted_at_idx").on(sql`lower(${t.email})`, t.attemptedAt),
    index("login_attempts_ip_attempted_at_idx").on(t.ip, t.attemptedAt),
  ],
);
