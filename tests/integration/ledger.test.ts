/**
 * Evidence and the tamper-evident ledger against the real database and object
 * store: attaching evidence with a save, sealing under concurrency, and each
 * kind of tampering the verifier must catch.
 */
import { Readable } from "node:stream";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { sql } from "drizzle-orm";
import { AppError } from "@/lib/errors";
import { getSql } from "@/db/client";
import { recordAuditEvent } from "@/lib/audit/service";
import { addEvidence, getEvidenceForSync, evidenceDownloadLink } from "@/lib/evidence/service";
import { createIntegration, getIntegration, updateIntegration } from "@/lib/integrations/service";
import { verifyBundle } from "@/lib/ledger/bundle";
import { sealTenant, tenantOrigin, writeCheckpoint } from "@/lib/ledger/chain";
import { currentSigningKey, parseSigningKey, rotateSigningKey } from "@/lib/ledger/keys";
import { evidenceProofBundle, latestCheckpointNote, verifyEvidenceRecord, verifyLedger } from "@/lib/ledger/service";
import { verifyTenantLedger } from "@/lib/ledger/verify";
import { newLedgerSigningKey } from "@/lib/runtime/local-secrets";
import { getObjectStore } from "@/lib/storage";
import { startWorker } from "@/lib/syncs/worker";
import { receiveUpload } from "@/lib/uploads/service";
import { makeTenant, type TestTenant } from "../helpers/factories";
import { getDb } from "@/db/client";
import { getConfig, resetConfigCache } from "@/lib/config";
import { originHost } from "@/lib/ledger/note";

let owner: postgres.Sql;
beforeAll(() => {
  owner = postgres(inject("ownerDatabaseUrl"), { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await owner?.end();
});

const PDF = Buffer.from("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const CSV = Buffer.from("user,entitlement,decision\nalice,admin,keep\nbob,admin,revoke\n");

async function uploadEvidence(t: TestTenant, name: string, bytes: Buffer) {
  return receiveUpload(t.ctx("operator"), {
    purpose: "evidence",
    filename: name,
    contentLength: bytes.length,
    body: Readable.from([bytes]),
  });
}

/**
 * Runs a queued sync to its end. Evidence saved while the sync owning earlier
 * evidence is still queued would join that sync, which already has evidence.
 */
async function runQueuedSync(syncId: string) {
  const worker = startWorker({ db: getDb(), idlePollSeconds: 0.1, heartbeatSeconds: 1 });
  try {
    for (let i = 0; i < 300; i++) {
      const [row] = await owner`select status from sync_executions where id = ${syncId}`;
      if (["post_sync_completed", "error", "held", "cancelled"].includes(row.status)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`sync ${syncId} did not end`);
  } finally {
    await worker.stop();
  }
}

const NOTES = "# Quarterly review\n\nApproved by **Dana** after checking the *admin* group.\n\n- alice kept\n- bob revoked";

/** A CSV integration saved with evidence, plus a few audit events, all sealed and checkpointed. */
async function tenantWithEvidence() {
  const t = await makeTenant();
  const sourceCsv = Buffer.from("externalId,username\n1,a\n");
  const source = await receiveUpload(t.ctx("operator"), {
    purpose: "csv",
    filename: "a.csv",
    contentLength: sourceCsv.length,
    body: Readable.from([sourceCsv]),
  });
  const pdf = await uploadEvidence(t, "review.pdf", PDF);
  const csv = await uploadEvidence(t, "decisions.csv", CSV);
  const { integration, sync } = await createIntegration(t.ctx("operator"), {
    name: "HR files",
    connector: "csv",
    config: { files: { accounts: source.key } },
    evidence: { notes: NOTES, uploadIds: [pdf.id, csv.id] },
  });
  for (let i = 0; i < 3; i++) {
    await recordAuditEvent(getDb(), t.ctx("admin"), { entityType: "Tenant", action: "Update", entityName: `change ${i}`, details: "test" });
  }
  await sealTenant(getDb(), t.id);
  await writeCheckpoint(getDb(), t.id);
  const evidence = (await getEvidenceForSync(t.ctx("auditor"), sync!.id))!;
  return { t, integration, sync, evidence, pdf, csv };
}

async function entries(tenantId: string) {
  return owner<{ seq: string; kind: string; refId: string; hash: string }[]>`
    select seq, kind, ref_id as "refId", hash from ledger_entries where tenant_id = ${tenantId} order by seq`;
}

/** Runs SQL as the table owner with the append-only triggers off, as an attacker with DB access would. */
async function tamper(table: string, statement: (sql: postgres.TransactionSql) => Promise<unknown>) {
  await owner.begin(async (tx) => {
    await tx.unsafe(`alter table ${table} disable trigger user`);
    await statement(tx);
    await tx.unsafe(`alter table ${table} enable trigger user`);
  });
}

async function problems(tenantId: string) {
  const result = await verifyTenantLedger(getDb(), tenantId);
  expect(result.ok).toBe(false);
  return result.problems;
}

describe("audit evidence", () => {
  it("is captured with the save, linked to the sync it starts, with its manifest beside the files", async () => {
    const { t, sync, evidence, pdf } = await tenantWithEvidence();
    expect(evidence.syncExecutionId).toBe(sync!.id);
    expect(evidence.createdByName).toBe(t.users.operator.email);
    expect(evidence.notesHtml).toContain("<h1>Quarterly review</h1>");
    expect(evidence.notesHtml).toContain("<strong>Dana</strong>");
    expect(evidence.files.map((f) => [f.name, f.contentType, f.size, f.sha256])).toEqual([
      ["review.pdf", "application/pdf", PDF.length, pdf.sha256],
      ["decisions.csv", "text/csv", CSV.length, expect.stringMatching(/^[0-9a-f]{64}$/)],
    ]);
    const manifest = await getObjectStore().head(`tenants/${t.id}/evidence/${evidence.id}/manifest.json`);
    expect(manifest).not.toBeNull();

    expect(await verifyEvidenceRecord(t.ctx("auditor"), evidence.id)).toMatchObject({ status: "verified" });
    const result = await verifyLedger(t.ctx("auditor"));
    expect(result).toMatchObject({ ok: true, filesChecked: 2, problems: [] });
    expect(result.entries).toBeGreaterThanOrEqual(5);
  });

  it("added later starts a new sync that owns it, even with no setting changed; evidence is never edited in place", async () => {
    const { t, integration, sync: first } = await tenantWithEvidence();
    const file = await uploadEvidence(t, "follow-up.json", Buffer.from('{"reviewed":true}'));
    await runQueuedSync(first!.id);
    const { sync, evidence } = await addEvidence(t.ctx("operator"), integration.id, { notes: "Follow-up check", uploadIds: [file.id] });
    expect(sync.id).not.toBe(first!.id);
    expect(sync.trigger).toBe("evidence_updated");
    expect(evidence.syncExecutionId).toBe(sync.id);
    expect((await getEvidenceForSync(t.ctx("auditor"), first!.id))!.files).toHaveLength(2);

    const again = await uploadEvidence(
      t,
      "again.png",
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from("IHDR"), Buffer.alloc(17)]),
    );
    await runQueuedSync(sync.id);
    const saved = await updateIntegration(t.ctx("operator"), integration.id, { evidence: { uploadIds: [again.id] } });
    expect(saved.sync?.trigger).toBe("evidence_updated");
    // An upload attaches once.
    await expect(addEvidence(t.ctx("operator"), integration.id, { uploadIds: [again.id] })).rejects.toMatchObject({
      code: "conflict:upload_attached",
    });
  });

  it("saved with unchanged settings records only the evidence, not empty setting changes", async () => {
    const { t, integration, sync: first } = await tenantWithEvidence();
    await runQueuedSync(first!.id);
    const stored = await getIntegration(t.ctx("operator"), integration.id);
    // What the form sends back: every setting as it was, the mapping's fields in its own order.
    const reordered = Object.fromEntries(
      Object.entries(stored.mapping)
        .reverse()
        .map(([type, fields]) => [type, Object.fromEntries(Object.entries(fields).reverse())]),
    );
    const counts = async () =>
      (
        await owner<{ n: number }[]>`
        select count(*)::int as n from audit_events where tenant_id = ${t.id} and entity_type in ('ConnectionProfile', 'MappingConfig') and action = 'Update'`
      )[0].n;
    const { sync } = await updateIntegration(t.ctx("operator"), integration.id, {
      name: stored.name,
      config: stored.config,
      mapping: reordered,
      evidence: { notes: "Second look" },
    });
    expect(sync?.trigger).toBe("evidence_updated");
    expect(await counts()).toBe(0);
    const [evidenceEvents] = await owner<{ n: number }[]>`
      select count(*)::int as n from audit_events where tenant_id = ${t.id} and entity_type = 'Evidence' and action = 'Create'`;
    expect(evidenceEvents.n).toBe(2);
  });

  it("refuses an 11th file, files of another tenant, and roles that may not write or read it", async () => {
    const { t, integration, sync } = await tenantWithEvidence();
    const ids = [];
    for (let i = 0; i < 11; i++) ids.push((await uploadEvidence(t, `f${i}.json`, Buffer.from(`{"n":${i}}`))).id);
    await expect(addEvidence(t.ctx("operator"), integration.id, { uploadIds: ids })).rejects.toMatchObject({
      message: expect.stringContaining("At most 10 files"),
    });
    const other = await makeTenant();
    await expect(addEvidence(other.ctx("operator"), integration.id, { uploadIds: [ids[0]] })).rejects.toMatchObject({
      code: "unprocessable:validation",
    });
    await expect(addEvidence(t.ctx("auditor"), integration.id, { notes: "x" })).rejects.toMatchObject({ code: "forbidden:evidence:write" });
    await expect(getEvidenceForSync(t.ctx("viewer"), sync!.id)).rejects.toMatchObject({ code: "forbidden:evidence:read" });
    expect(await getEvidenceForSync(other.ctx("admin"), sync!.id)).toBeNull();
  });

  it("downloads through a link of at most 5 minutes, as an attachment, and each download is audited", async () => {
    const { t, evidence } = await tenantWithEvidence();
    const link = await evidenceDownloadLink(t.ctx("auditor"), evidence.files[0].id);
    const url = new URL(link, "http://localhost");
    const expires = Number(url.searchParams.get("expires") ?? url.searchParams.get("e") ?? 0);
    if (expires) expect(expires * 1000 - Date.now()).toBeLessThanOrEqual(300_000 + 1000);
    const [row] =
      await owner`select count(*)::int as n from audit_events where tenant_id = ${t.id} and entity_type = 'Evidence' and action = 'Download'`;
    expect(row.n).toBe(1);
    await expect(evidenceDownloadLink(t.ctx("viewer"), evidence.files[0].id)).rejects.toMatchObject({ code: "forbidden:evidence:read" });
  });

  it("a save during a storage outage leaves no evidence record and no sync claiming evidence", async () => {
    const { t, integration, sync } = await tenantWithEvidence();
    const file = await uploadEvidence(t, "late.pdf", PDF);
    await runQueuedSync(sync!.id);
    const [{ before }] = await owner<
      { before: number }[]
    >`select count(*)::int as before from sync_executions where integration_id = ${integration.id}`;
    const store = getObjectStore();
    const put = store.put.bind(store);
    // A storage outage at the moment the manifest is written cannot be produced on demand with a real store.
    const spy = vi.spyOn(store, "put").mockImplementation(async (key, ...rest) => {
      if (key.endsWith("manifest.json")) throw new AppError("unavailable:object_store", "The object store is not reachable.");
      return put(key, ...rest);
    });
    try {
      await expect(addEvidence(t.ctx("operator"), integration.id, { notes: "n", uploadIds: [file.id] })).rejects.toMatchObject({
        code: "unavailable:object_store",
      });
    } finally {
      spy.mockRestore();
    }
    const [{ after }] = await owner<
      { after: number }[]
    >`select count(*)::int as after from sync_executions where integration_id = ${integration.id}`;
    expect(after).toBe(before);
    const [{ n }] = await owner<{ n: number }[]>`select count(*)::int as n from evidence_records where tenant_id = ${t.id}`;
    expect(n).toBe(1);
    const [upload] = await owner`select attached_at from uploads where id = ${file.id}`;
    expect(upload.attached_at).toBeNull();
  });

  it("a save that fails half way leaves no evidence record and no manifest", async () => {
    const t = await makeTenant();
    const file = await uploadEvidence(t, "x.pdf", PDF);
    await expect(
      createIntegration(t.ctx("operator"), {
        name: "Bad",
        connector: "ldap",
        config: { url: "http://x" },
        evidence: { notes: "n", uploadIds: [file.id] },
      }),
    ).rejects.toMatchObject({ code: "unprocessable:validation" });
    const [row] = await owner`select count(*)::int as n from evidence_records where tenant_id = ${t.id}`;
    expect(row.n).toBe(0);
    const keys: string[] = [];
    for await (const o of getObjectStore().list(`tenants/${t.id}/evidence/`)) keys.push(o.key);
    expect(keys).toEqual([]);
  });
});

describe("the ledger", () => {
  it("50 concurrent writers and several sealers never fork the chain or skip a number", async () => {
    const t = await makeTenant();
    const writers = Array.from({ length: 50 }, (_, w) =>
      (async () => {
        for (let i = 0; i < 10; i++) {
          await recordAuditEvent(getDb(), t.ctx("admin"), {
            entityType: "Tenant",
            action: "Update",
            entityName: `w${w}-${i}`,
            details: "x",
          });
        }
      })(),
    );
    const sealers = Array.from({ length: 3 }, async () => {
      for (let i = 0; i < 20; i++) {
        await sealTenant(getDb(), t.id);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    await Promise.all([...writers, ...sealers]);
    await sealTenant(getDb(), t.id);
    const rows = await entries(t.id);
    expect(rows.length).toBeGreaterThanOrEqual(500);
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
    expect(new Set(rows.map((r) => r.refId)).size).toBe(rows.length);
    // Nothing lost: every audit event of the tenant has its entry.
    const [{ n }] = await owner<{ n: number }[]>`select count(*)::int as n from audit_events where tenant_id = ${t.id}`;
    expect(rows.filter((r) => r.kind === "audit").length).toBe(n);
    await writeCheckpoint(getDb(), t.id);
    expect((await verifyTenantLedger(getDb(), t.id)).ok).toBe(true);
  });

  it("records an audit event the same in a UTC session and in any other time zone, and nothing of a rolled-back one", async () => {
    const t = await makeTenant();
    const record = (entityName: string) =>
      recordAuditEvent(getDb(), t.ctx("admin"), { entityType: "Tenant", action: "Update", entityName, details: "tz" });
    const utc = await record("in a UTC session");
    // The trigger's fast path is for UTC sessions only; New York must still be recorded in UTC.
    const ny = await getDb().transaction(async (tx) => {
      await tx.execute(sql`set local timezone = 'America/New_York'`);
      return recordAuditEvent(tx, t.ctx("admin"), { entityType: "Tenant", action: "Update", entityName: "in New York", details: "tz" });
    });
    await expect(
      getDb().transaction(async (tx) => {
        await recordAuditEvent(tx, t.ctx("admin"), { entityType: "Tenant", action: "Update", entityName: "rolled back", details: "tz" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    await sealTenant(getDb(), t.id);
    const rows = await owner<{ refId: string; record: { entity_name: string; occurred_at: string } }[]>`
      select ref_id as "refId", record::jsonb as record from ledger_entries where tenant_id = ${t.id} and kind = 'audit'`;
    const recorded = new Map(rows.map((r) => [r.refId, r.record]));
    expect([...recorded.values()].map((r) => r.entity_name)).not.toContain("rolled back");
    for (const id of [utc.id, ny.id]) {
      expect(recorded.get(id)?.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$/);
    }
    // The verifier rebuilds each record from the live row through ledger_record_audit: both agree.
    await writeCheckpoint(getDb(), t.id);
    expect((await verifyTenantLedger(getDb(), t.id)).ok).toBe(true);
  });

  it("keeps a tenant's log origin, fixed at its first checkpoint, when its slug or the host changes", async () => {
    const t = await makeTenant();
    const change = async (entityName: string) => {
      await recordAuditEvent(getDb(), t.ctx("admin"), { entityType: "Tenant", action: "Update", entityName, details: "origin" });
      await sealTenant(getDb(), t.id);
      return (await writeCheckpoint(getDb(), t.id))!;
    };
    await change("first");
    const origin = `${originHost(getConfig())}/ledger/${t.slug}`;
    expect((await latestCheckpointNote(t.ctx("auditor"))).note.split("\n")[0]).toBe(origin);
    await owner`update tenants set slug = ${`${t.slug}-renamed`} where id = ${t.id}`;
    process.env.LEDGER_ORIGIN_HOST = "another-host.example";
    resetConfigCache();
    try {
      const cp = await change("after the rename");
      const latest = await latestCheckpointNote(t.ctx("auditor"));
      expect(latest.treeSize).toBe(cp.treeSize);
      expect(latest.note.split("\n")[0]).toBe(origin);
      expect(latest.verifierKey.startsWith(`${origin}+`)).toBe(true);
      expect(await tenantOrigin(getDb(), t.id)).toBe(origin);
      expect((await verifyTenantLedger(getDb(), t.id)).ok).toBe(true);
    } finally {
      delete process.env.LEDGER_ORIGIN_HOST;
      resetConfigCache();
    }
  });

  it("is append-only for the app role", async () => {
    const { t } = await tenantWithEvidence();
    await expect(getSql()`update ledger_entries set hash = 'x' where tenant_id = ${t.id}`).rejects.toThrow(/permission denied|append-only/);
    await expect(getSql()`delete from ledger_entries where tenant_id = ${t.id}`).rejects.toThrow(/permission denied|append-only/);
    await expect(getSql()`truncate ledger_entries`).rejects.toThrow(/permission denied|append-only/);
    await expect(getSql()`delete from ledger_checkpoints where tenant_id = ${t.id}`).rejects.toThrow(/permission denied|append-only/);
  });

  it("catches a changed byte in a stored file", async () => {
    const { t, evidence } = await tenantWithEvidence();
    const file = (
      await owner<
        { objectKey: string }[]
      >`select object_key as "objectKey" from evidence_files where evidence_id = ${evidence.id} order by position`
    )[0];
    const altered = Buffer.from(PDF);
    altered[20] ^= 0x01;
    await getObjectStore().put(file.objectKey, altered);
    expect((await problems(t.id))[0].reason).toMatch(/file "review\.pdf" changed/);
    expect(await verifyEvidenceRecord(t.ctx("auditor"), evidence.id)).toMatchObject({ status: "failed" });
  });

  it("catches an edited manifest", async () => {
    const { t, evidence } = await tenantWithEvidence();
    const key = `tenants/${t.id}/evidence/${evidence.id}/manifest.json`;
    const chunks: Buffer[] = [];
    for await (const c of await getObjectStore().get(key)) chunks.push(Buffer.from(c));
    await getObjectStore().put(key, Buffer.concat(chunks).toString().replace("review.pdf", "review2.pdf"));
    expect((await problems(t.id))[0].reason).toMatch(/manifest in object storage was edited/);
  });

  it("catches a ledger row, and a recorded source row, edited with the triggers disabled", async () => {
    const { t } = await tenantWithEvidence();
    await tamper(
      "ledger_entries",
      (tx) =>
        tx`update ledger_entries set record = replace(record, '"details":"', '"details":"edited ') where tenant_id = ${t.id} and seq = 3`,
    );
    const found = await problems(t.id);
    expect(found[0]).toMatchObject({ seq: 3, reason: expect.stringMatching(/contents do not match its hash/) });

    const other = await tenantWithEvidence();
    const audit = (await entries(other.t.id)).find((e) => e.kind === "audit")!;
    await tamper("audit_events", (tx) => tx`update audit_events set details = 'nothing to see' where id = ${audit.refId}`);
    expect((await problems(other.t.id))[0].reason).toMatch(/audit event .* was changed after it was recorded/);
  });

  it("catches an entry deleted from the middle", async () => {
    const { t } = await tenantWithEvidence();
    await tamper("ledger_entries", (tx) => tx`delete from ledger_entries where tenant_id = ${t.id} and seq = 2`);
    expect((await problems(t.id))[0]).toMatchObject({ seq: 2, reason: expect.stringMatching(/entries 2–2 are missing/) });
  });

  it("catches the newest entries deleted, through the checkpoint", async () => {
    const { t } = await tenantWithEvidence();
    const total = (await entries(t.id)).length;
    await tamper("ledger_entries", (tx) => tx`delete from ledger_entries where tenant_id = ${t.id} and seq > ${total - 2}`);
    const found = await problems(t.id);
    expect(found.some((p) => /covers \d+ entries but only \d+ remain/.test(p.reason))).toBe(true);
  });

  it("catches two entries swapped", async () => {
    const { t } = await tenantWithEvidence();
    await tamper("ledger_entries", async (tx) => {
      await tx`update ledger_entries set seq = -2 where tenant_id = ${t.id} and seq = 2`;
      await tx`update ledger_entries set seq = 2 where tenant_id = ${t.id} and seq = 3`;
      await tx`update ledger_entries set seq = 3 where tenant_id = ${t.id} and seq = -2`;
    });
    expect((await problems(t.id))[0]).toMatchObject({ seq: 2 });
  });

  it("catches a forged checkpoint signature", async () => {
    const { t } = await tenantWithEvidence();
    await tamper(
      "ledger_checkpoints",
      (tx) => tx`update ledger_checkpoints set signature = ${Buffer.alloc(64, 7).toString("base64")} where tenant_id = ${t.id}`,
    );
    expect((await problems(t.id)).some((p) => /signature that does not verify/.test(p.reason))).toBe(true);
  });

  it("verifies checkpoints signed before a key rotation, each naming its key", async () => {
    const { t } = await tenantWithEvidence();
    const before = process.env.LEDGER_SIGNING_KEY;
    const next = newLedgerSigningKey();
    await rotateSigningKey(getDb(), currentSigningKey(), parseSigningKey(next));
    process.env.LEDGER_SIGNING_KEY = next;
    resetConfigCache();
    try {
      await recordAuditEvent(getDb(), t.ctx("admin"), {
        entityType: "Tenant",
        action: "Update",
        entityName: "after rotation",
        details: "x",
      });
      await sealTenant(getDb(), t.id);
      const cp = await writeCheckpoint(getDb(), t.id);
      const keys = await owner`select distinct key_id from ledger_checkpoints where tenant_id = ${t.id}`;
      expect(keys.length).toBe(2);
      expect(cp?.keyId).toBe(currentSigningKey().keyId);
      expect((await verifyTenantLedger(getDb(), t.id)).ok).toBe(true);
    } finally {
      process.env.LEDGER_SIGNING_KEY = before;
      resetConfigCache();
    }
  });

  it("gives an offline proof bundle that verifies without a database, and fails when altered", async () => {
    const { t, evidence } = await tenantWithEvidence();
    const bundle = await evidenceProofBundle(t.ctx("auditor"), evidence.id);
    const good = verifyBundle(JSON.parse(JSON.stringify(bundle)));
    expect(good).toMatchObject({ ok: true, problems: [] });
    expect(bundle.files?.map((f) => f.name)).toEqual(["review.pdf", "decisions.csv"]);

    const altered = JSON.parse(JSON.stringify(bundle));
    altered.entries[0].record.files[0].sha256 = "0".repeat(64);
    expect(verifyBundle(altered).ok).toBe(false);
  });
});
