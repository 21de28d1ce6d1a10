/** Test data: a fresh tenant per test with one user per role, and contexts to act as them. */
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import { getDb } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { createApiKey } from "@/lib/api-keys/service";
import { actingInTenant, platformContext, userContext, type ServiceContext } from "@/lib/auth/context";
import { ROLES, type Permission, type Role } from "@/lib/auth/permissions";
import { addMemberDirectly } from "@/lib/members/internal";
import { createTenant } from "@/lib/tenants/service";

export const TEST_PASSWORD = "correct horse battery staple";
export const platformAdmin = platformContext(
  { type: "user", id: "00000000-0000-0000-0000-000000000001", name: "root@platform.test" },
  { ip: "203.0.113.7", userAgent: "vitest" },
);

export type TestTenant = {
  id: string;
  slug: string;
  users: Record<Role, { id: string; email: string }>;
  ctx(role: Role): ServiceContext;
};

export async function makeTenant(): Promise<TestTenant> {
  const slug = `t-${randomBytes(5).toString("hex")}`;
  const tenant = await createTenant(platformAdmin, { name: `Tenant ${slug}`, slug });
  const acting = actingInTenant(platformAdmin, tenant.id);
  const users = {} as TestTenant["users"];
  for (const role of ROLES) {
    const email = `${role}@${slug}.test`;
    const m = await addMemberDirectly(acting, { email, role, password: TEST_PASSWORD });
    users[role] = { id: m.userId, email };
  }
  return {
    id: tenant.id,
    slug,
    users,
    ctx: (role) => userContext({ tenantId: tenant.id, role, user: users[role], request: { ip: "198.51.100.20", userAgent: "vitest" } }),
  };
}

export async function makeApiKeyCtx(tenant: TestTenant, scopes: Permission[]) {
  return createApiKey(tenant.ctx("admin"), { name: `key-${randomBytes(3).toString("hex")}`, scopes });
}

export async function auditRows(tenantId: string, entityType: string, action: string) {
  return getDb()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.entityType, entityType), eq(auditEvents.action, action)));
}

export async function expectAuditRow(tenantId: string, entityType: string, action: string, entityName?: string) {
  const rows = await auditRows(tenantId, entityType, action);
  const match = rows.filter((r) => entityName === undefined || r.entityName === entityName);
  expect(match, `audit ${entityType} ${action} ${entityName ?? ""}`).not.toHaveLength(0);
  return match[match.length - 1];
}

/** A CSV integration over an accounts file uploaded to the tenant; `put` replaces the file's content. */
export async function makeCsvIntegration(t: TestTenant, name: string, content: string) {
  const { createIntegration } = await import("@/lib/integrations/service");
  const { getObjectStore } = await import("@/lib/storage");
  const { tenantUploadPrefix } = await import("@/lib/uploads/service");
  const key = `${tenantUploadPrefix(t.id)}${name}.csv`;
  await getObjectStore().put(key, content);
  const created = await createIntegration(t.ctx("admin"), { name, connector: "csv", config: { files: { accounts: key } } });
  return { ...created, put: (text: string) => getObjectStore().put(key, text) };
}

/**
 * A CSV integration saved with audit evidence: a one-account file and one PDF,
 * both uploaded through the upload service. Returns the sync the save started,
 * its evidence record and the PDF's bytes (for offline bundle checks).
 */
export async function makeIntegrationWithEvidence(
  t: TestTenant,
  opts: { name?: string; notes?: string; pdfName?: string; pdf?: Buffer } = {},
) {
  const { Readable } = await import("node:stream");
  const { createIntegration } = await import("@/lib/integrations/service");
  const { getEvidenceForSync } = await import("@/lib/evidence/service");
  const { receiveUpload } = await import("@/lib/uploads/service");
  const upload = (purpose: "csv" | "evidence", filename: string, bytes: Buffer) =>
    receiveUpload(t.ctx("operator"), { purpose, filename, contentLength: bytes.length, body: Readable.from([bytes]) });
  const pdf = opts.pdf ?? Buffer.from("%PDF-1.7\n%%EOF\n");
  const source = await upload("csv", "a.csv", Buffer.from("externalId,username\n1,a\n"));
  const file = await upload("evidence", opts.pdfName ?? "proof.pdf", pdf);
  const { integration, sync } = await createIntegration(t.ctx("operator"), {
    name: opts.name ?? "HR files",
    connector: "csv",
    config: { files: { accounts: source.key } },
    evidence: { notes: opts.notes ?? "Reviewed", uploadIds: [file.id] },
  });
  const evidence = (await getEvidenceForSync(t.ctx("auditor"), sync!.id))!;
  return { integration, sync: sync!, evidence, pdf };
}

/** Moves an invitation's expiry into the past, as if its seven days had gone by. */
export async function expireInvitation(id: string) {
  const { invitations } = await import("@/db/schema");
  await getDb()
    .update(invitations)
    .set({ expiresAt: new Date(Date.now() - 60_000) })
    .where(eq(invitations.id, id));
}

/** The token at the end of an invitation link. */
export const tokenOf = (link: string) => new URL(link).pathname.split("/").pop()!;

/** A CSV integration over accounts, groups and memberships files: what a campaign reviews. */
export async function makeCsvDirectory(t: TestTenant, name: string, files: { accounts: string; groups?: string; memberships?: string }) {
  const { createIntegration } = await import("@/lib/integrations/service");
  const { getObjectStore } = await import("@/lib/storage");
  const { tenantUploadPrefix } = await import("@/lib/uploads/service");
  const keys: Record<string, string> = {};
  for (const [kind, content] of Object.entries(files)) {
    if (content === undefined) continue;
    keys[kind] = `${tenantUploadPrefix(t.id)}${name.replace(/[^A-Za-z0-9]+/g, "-")}-${kind}.csv`;
    await getObjectStore().put(keys[kind], content);
  }
  const created = await createIntegration(t.ctx("admin"), {
    name,
    connector: "csv",
    config: { files: keys },
  });
  return {
    ...created,
    put: async (next: Partial<typeof files>) => {
      for (const [kind, content] of Object.entries(next)) if (content !== undefined) await getObjectStore().put(keys[kind], content);
    },
  };
}

/** Waits until a sync has ended (its post-sync steps included) and returns it. */
export async function waitForSyncEnd(tenantId: string, id: string, timeoutMs = 30_000) {
  const { getSyncExecution } = await import("@/db/queries/syncs");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sync = await getSyncExecution(getDb(), tenantId, id);
    if (sync && !["queued", "syncing", "completed"].includes(sync.status)) return sync;
    if (Date.now() > deadline) throw new Error(`sync ${id} still ${sync?.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
