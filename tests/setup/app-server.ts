/**
 * Vitest global setup for end-to-end tests: a real Postgres, the built app
 * started with `next start` against it, and two tenants with one user per
 * role. Tests drive it through Debian's Chromium.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, startScratchDatabase } from "@/db/scratch";
import { generateDirectoryLdif, startSlapd } from "../helpers/slapd";
import { newLedgerSigningKey } from "@/lib/runtime/local-secrets";
import { resetConfigCache } from "@/lib/config";

export type E2eTenant = { id: string; slug: string; users: Record<string, string> };

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    password: string;
    tenantA: E2eTenant;
    tenantB: E2eTenant;
    e2eDatabaseUrl: string;
    ldap: { url: string; bindDn: string; bindPassword: string; baseDn: string };
  }
}

const PASSWORD = "e2e-password-0123";

async function waitForHealth(url: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited early:\n${log()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`app did not become healthy:\n${log()}`);
}

export default async function setup(project: TestProject) {
  if (!fs.existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) {
    throw new Error("End-to-end tests run against the built app: run `npx next build` first (npm test does).");
  }
  const db = await startScratchDatabase();
  const objects = fs.mkdtempSync(path.join(os.tmpdir(), "syncledger-e2e-objects-"));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: "production" as const,
    DATABASE_URL: db.appUrl,
    NEXTAUTH_SECRET: "e2e-secret-e2e-secret-e2e-secret-0123456789",
    NEXTAUTH_URL: baseUrl,
    ENCRYPTION_KEY: "0e".repeat(32),
    LEDGER_SIGNING_KEY: newLedgerSigningKey(),
    OBJECT_STORE_DIR: objects,
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
    PASSWORD_HASH_COST: "test",
    // As npm start does: the client's address comes from the socket, not from X-Forwarded-For.
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require=${path.join(process.cwd(), "scripts", "peer-address.cjs")}`]
      .filter(Boolean)
      .join(" "),
    // The test directory (slapd) and SCIM server listen on 127.0.0.1, which connectors may not reach by default.
    CONNECTOR_ALLOWED_HOSTS: "127.0.0.1, *",
  };
  Object.assign(process.env, {
    DATABASE_URL: db.appUrl,
    NEXTAUTH_SECRET: env.NEXTAUTH_SECRET,
    OBJECT_STORE_DIR: objects,
    ENCRYPTION_KEY: env.ENCRYPTION_KEY,
    LEDGER_SIGNING_KEY: env.LEDGER_SIGNING_KEY,
    // The worker names each tenant's log by this host, as the app does: in production both read one configuration.
    NEXTAUTH_URL: env.NEXTAUTH_URL,
    LOG_LEVEL: "warn",
    PASSWORD_HASH_COST: "test",
    // The sync worker runs in this process and connects to slapd on 127.0.0.1 too.
    CONNECTOR_ALLOWED_HOSTS: env.CONNECTOR_ALLOWED_HOSTS,
  });
  resetConfigCache();
  const slapd = await startSlapd();
  await slapd.addLdif([...generateDirectoryLdif({ users: 20, groups: 3, membershipsPerGroup: 4 })].join(""));

  // Seed through the same services the app uses.
  const { platformContext, actingInTenant } = await import("@/lib/auth/context");
  const { createTenant } = await import("@/lib/tenants/service");
  const { addMemberDirectly: addMember } = await import("@/lib/members/internal");
  const { ROLES } = await import("@/lib/auth/permissions");
  const { closeDb, getDb } = await import("@/db/client");
  const { startWorker } = await import("@/lib/syncs/worker");
  const seeder = platformContext({ type: "system", name: "system:e2e-seed" });
  async function seedTenant(slug: string): Promise<E2eTenant> {
    const t = await createTenant(seeder, { name: slug === "alpha" ? "Alpha Corp" : "Beta Ltd", slug });
    const users: Record<string, string> = {};
    for (const role of ROLES) {
      const email = `${role}@${slug}.test`;
      await addMember(actingInTenant(seeder, t.id), { email, role, password: PASSWORD });
      users[role] = email;
    }
    return { id: t.id, slug, users };
  }
  const tenantA = await seedTenant("alpha");
  // An admin whose role is lowered while signed in: the session cookie still says admin.
  await addMember(actingInTenant(seeder, tenantA.id), { email: "demoted@alpha.test", role: "admin", password: PASSWORD });
  tenantA.users.demoted = "demoted@alpha.test";
  const tenantB = await seedTenant("beta");
  // A consultant: admin in Alpha, viewer in Beta, who switches between them.
  await addMember(actingInTenant(seeder, tenantA.id), { email: "consultant@alpha.test", role: "admin", password: PASSWORD });
  await addMember(actingInTenant(seeder, tenantB.id), { email: "consultant@alpha.test", role: "viewer" });
  tenantA.users.consultant = "consultant@alpha.test";
  // A platform administrator who belongs to no tenant.
  const { insertUser } = await import("@/db/queries/members");
  const { hashPassword } = await import("@/lib/auth/password");
  const { grantPlatformAdmin } = await import("@/lib/platform/admins");
  await insertUser(getDb(), { email: "platform@platform.test", name: "Platform Admin", passwordHash: await hashPassword(PASSWORD) });
  await grantPlatformAdmin(seeder, { email: "platform@platform.test" });
  tenantA.users.platform = "platform@platform.test";
  // The sync worker runs as its own process in production; here it runs beside the app server.
  const worker = startWorker({ db: getDb(), idlePollSeconds: 0.5, heartbeatSeconds: 2 });

  let output = "";
  const child = spawn(path.join(process.cwd(), "node_modules", ".bin", "next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  await waitForHealth(baseUrl, child, () => output);

  project.provide("baseUrl", baseUrl);
  project.provide("password", PASSWORD);
  project.provide("tenantA", tenantA);
  project.provide("tenantB", tenantB);
  project.provide("e2eDatabaseUrl", db.appUrl);
  project.provide("ldap", { url: slapd.url, bindDn: slapd.bindDn, bindPassword: slapd.bindPassword, baseDn: slapd.baseDn });

  return async () => {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await worker.stop();
    await closeDb();
    await slapd.stop();
    await db.stop();
    fs.rmSync(objects, { recursive: true, force: true });
    if (process.env.E2E_SERVER_LOG) fs.writeFileSync(process.env.E2E_SERVER_LOG, output);
  };
}
