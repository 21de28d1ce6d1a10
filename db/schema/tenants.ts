/** Tenants, users and who belongs to which tenant in which role. */
import { sql } from "drizzle-orm";
import { type AnyPgColumn, boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { ROLES } from "@/lib/domain/enums";
import { createdAt } from "./columns";

export const tenants = pgTable("tenants", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  active: boolean("active").notNull().default(true),
  deactivatedAt: timestamp("deactivated_at", { withTimezone: true }),
  /**
   * The origin (`<host>/ledger/<slug>`) the tenant's ledger checkpoints are signed under, fixed when
   * the first one is signed: witnesses and trust files know the log by it, so a later change of
   * host or slug must not make it a different log.
   */
  ledgerOrigin: text("ledger_origin"),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The tenant_id column of a tenant-owned table. Tenants are deactivated, never
 * deleted, so every reference refuses a tenant's deletion (NO ACTION) rather
 * than cascading: a cascade would remove history an auditor relies on (the
 * ledger, the audit log and evidence are append-only or insert-only, and a
 * cascade runs with the table owner's rights, past the app role's missing
 * DELETE), and one rule for every table means a tenant's rows can only go
 * through a deliberate procedure, never as the side effect of one statement.
 */
export const tenantId = () =>
  uuid("tenant_id")
    .notNull()
    .references((): AnyPgColumn => tenants.id, { onDelete: "no action" });

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash"),
    isPlatformAdmin: boolean("is_platform_admin").notNull().default(false),
    active: boolean("active").notNull().default(true),
    /**
     * Carried in the session token and compared on every request: bumping it
     * (sign-out, a role change, removal from a tenant) ends every session the
     * user holds, though their JWT cookies have not expired.
     */
    sessionVersion: integer("session_version").notNull().default(0),
    /** The tenant a new session opens in: the one the user last switched to or joined. */
    lastTenantId: uuid("last_tenant_id").references((): AnyPgColumn => tenants.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_lower_email_uq").on(sql`lower(${t.email})`)],
);

export const memberships = pgTable(
  "memberships",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("memberships_tenant_id_user_id_uq").on(t.tenantId, t.userId), index("memberships_user_id_idx").on(t.userId)],
);

/**
 * An admin's offer of a role in a tenant to an email address. Membership is
 * created only when the invitee accepts (signed in as that address) or, for an
 * address with no account, sets a password through the link. The link's token
 * is 256-bit random and only its SHA-256 is kept; a link is single-use and expires.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
    email: text("email").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    invitedById: uuid("invited_by_id").references(() => users.id, { onDelete: "set null" }),
    invitedByName: text("invited_by_name").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedById: uuid("accepted_by_id").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    // One open invitation per address and tenant: inviting again replaces it.
    uniqueIndex("invitations_tenant_id_email_open_uq")
      .on(t.tenantId, t.email)
      .where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null`),
    index("invitations_tenant_id_created_at_idx").on(t.tenantId, t.createdAt),
    check("invitations_email_lower", sql`${t.email} = lower(${t.email})`),
  ],
);
