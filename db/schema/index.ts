/**
 * The database schema, one file per domain. Every tenant-owned table carries
 * tenant_id and every query filters by it. Tables are plural snake_case;
 * fields camelCase. drizzle-kit reads this file (drizzle.config.ts).
 */
export * from "./tenants";
export * from "./api-keys";
export * from "./audit";
export * from "./integrations";
export * from "./syncs";
export * from "./uploads";
export * from "./evidence";
export * from "./ledger";
