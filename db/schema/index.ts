/**
 * The database schema, one file per domain. Every tenant-owned table carries
 * tenant_id and every query filters by it. Tables are plural snake_case;
 * fields camelCase. drizzle-kit reads this file (drizzle.config.ts).
 *
 * Every tenant_id references tenants, ON DELETE NO ACTION (tenantId() in
 * ./tenants): tenants are deactivated, never deleted, and the ledger, the
 * audit log and evidence must outlive anything a cascade could reach, so one
 * rule holds for history and configuration alike; a deletion is refused while
 * any row of the tenant exists. The one exception in form is the staged rows
 * (extracted_objects), whose tenant is held through their sync's (id,
 * tenant_id): a direct reference added a check per COPYed row.
 *
 * Index names are <table>_<columns>_idx, or _uq when unique, with a word for
 * the rows a partial index keeps (sync_executions_run_after_queued_idx).
 */
export * from "./tenants";
export * from "./api-keys";
export * from "./audit";
export * from "./integrations";
export * from "./syncs";
export * from "./uploads";
export * from "./evidence";
export * from "./ledger";
export * from "./campaigns";
export * from "./provisioning";
