/**
 * Runtime configuration, validated once with zod. A wrong value stops the app
 * with a message that names the variable.
 */
import { z } from "zod";

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const booleanFlag = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1")
  .optional();

/** A host name, optionally with a port: what a ledger origin starts with. */
const ORIGIN_HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/** The settings of the database pool; db/client.ts reads these alone (see databaseSettings). */
const databaseFields = {
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  /** Connections per process (web server, worker); Postgres must allow that many for every process. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
};

export const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: databaseFields.DATABASE_URL,
    DATABASE_MIGRATION_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    NEXTAUTH_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
    NEXTAUTH_URL: optionalString.pipe(z.url().optional()),
    ENCRYPTION_KEY: optionalString.pipe(
      z
        .string()
        .regex(/^[0-9a-f]{64}$/i, "must be 64 hex characters (32 bytes)")
        .optional(),
    ),
    /** Ed25519 private key, PKCS#8 DER in base64, that signs ledger checkpoints. */
    LEDGER_SIGNING_KEY: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9+/]{40,}={0,2}$/, "must be a base64 PKCS#8 Ed25519 private key (npm run ledger:keygen prints one)")
        .optional(),
    ),
    /** The host that starts every tenant's ledger origin (`<host>/ledger/<slug>`); defaults to NEXTAUTH_URL's host name. */
    LEDGER_ORIGIN_HOST: optionalString.pipe(
      z.string().toLowerCase().regex(ORIGIN_HOST, "must be a host name such as ledger.example.com (no scheme or path)").optional(),
    ),
    /** Witnesses that cosign every tenant's checkpoints: a file with one `URL VERIFIER_KEY` per line (# comments). */
    LEDGER_WITNESSES_FILE: optionalString,
    /** Cosignatures a checkpoint needs to count as witnessed; defaults to the number of witnesses. */
    LEDGER_WITNESS_QUORUM: z.preprocess(
      (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
      z.coerce.number().int("must be a whole number").min(0, "must be 0 or more").optional(),
    ),
    /** A tenant's latest checkpoint is sent to each witness again this often even when nothing changed (a heartbeat). */
    LEDGER_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    DATABASE_POOL_MAX: databaseFields.DATABASE_POOL_MAX,
    DATA_DIR: z.string().default(".data"),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
    OBJECT_STORE_DIR: optionalString,
    S3_ENDPOINT: optionalString.pipe(z.url().optional()),
    S3_BUCKET: optionalString,
    S3_REGION: optionalString,
    S3_ACCESS_KEY_ID: optionalString,
    S3_SECRET_ACCESS_KEY: optionalString,
    S3_FORCE_PATH_STYLE: booleanFlag,
    /** Temporary upload objects (partial files, S3 staging objects and multipart uploads) older than this are removed. */
    TEMP_UPLOAD_MAX_AGE_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
    DEMO_PASSWORD: optionalString.pipe(z.string().min(8, "must be at least 8 characters").optional()),
    TRUSTED_PROXIES: optionalString,
    /** Comma-separated hosts, *.domains and CIDRs connectors may reach; unset means any host but reserved ones. */
    CONNECTOR_ALLOWED_HOSTS: optionalString,
    OIDC_ISSUER: optionalString.pipe(z.url().optional()),
    OIDC_CLIENT_ID: optionalString,
    OIDC_CLIENT_SECRET: optionalString,
    OIDC_NAME: z.string().default("Single sign-on"),
    /**
     * argon2id cost of new password hashes. "test" (1 MiB, one pass) exists only so test suites that
     * create hundreds of users stay fast; hashes carry their parameters, so either verifies.
     */
    PASSWORD_HASH_COST: z.enum(["standard", "test"]).default("standard"),
    /** The port `next` listens on; NEXTAUTH_URL defaults to http://localhost:<PORT>. */
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((c, ctx) => {
    if (c.S3_BUCKET && !c.S3_REGION) {
      ctx.addIssue({ code: "custom", path: ["S3_REGION"], message: "is required when S3_BUCKET is set" });
    }
    if ((c.S3_ACCESS_KEY_ID && !c.S3_SECRET_ACCESS_KEY) || (!c.S3_ACCESS_KEY_ID && c.S3_SECRET_ACCESS_KEY)) {
      ctx.addIssue({
        code: "custom",
        path: [c.S3_ACCESS_KEY_ID ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID"],
        message: "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together",
      });
    }
    if (c.S3_ENDPOINT && !c.S3_BUCKET) {
      ctx.addIssue({ code: "custom", path: ["S3_BUCKET"], message: "is required when S3_ENDPOINT is set" });
    }
    const oidc = [c.OIDC_ISSUER, c.OIDC_CLIENT_ID, c.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: [!c.OIDC_ISSUER ? "OIDC_ISSUER" : !c.OIDC_CLIENT_ID ? "OIDC_CLIENT_ID" : "OIDC_CLIENT_SECRET"],
        message: "OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together",
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join(".") || "configuration"}: ${i.message}`));
  }
  return result.data;
}

let cached: Config | undefined;

/** The process configuration, parsed on first use. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

const databaseSchema = z.object(databaseFields);

/**
 * The pool's settings, validated by the same rules as the rest of the configuration but read
 * from the environment on every call: the bootstrap fills DATABASE_URL in after start-up
 * (the embedded database), and scripts and tests point a process at another database by
 * changing it, which the pool notices.
 */
export function databaseSettings(env: Record<string, string | undefined> = process.env) {
  // Every query asks (getDb), so the parse is kept while the two values stay the same.
  const key = `${env.DATABASE_URL}\n${env.DATABASE_POOL_MAX}`;
  if (lastDatabaseSettings?.key === key) return lastDatabaseSettings.value;
  const result = databaseSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join(".") || "configuration"}: ${i.message}`));
  }
  lastDatabaseSettings = { key, value: result.data };
  return result.data;
}
let lastDatabaseSettings: { key: string; value: z.infer<typeof databaseSchema> } | undefined;

/** For tests that change process.env between cases. */
export function resetConfigCache(): void {
  cached = undefined;
}
