import { describe, expect, it } from "vitest";
import { AUDITED, AUDIT_ACTIONS, type AuditActionOf } from "@/lib/audit/catalog";
import type { AuditEventInput } from "@/lib/audit/service";

describe("audit catalog", () => {
  it("ties each action to the entity types that record it (checked by tsc)", () => {
    const release: AuditEventInput = { entityType: "SyncExecution", action: "Release", entityName: "sync", details: "Released" };
    // @ts-expect-error an API key is never released: the action belongs to SyncExecution
    const wrong: AuditEventInput = { entityType: "ApiKey", action: "Release", entityName: "key", details: "Released" };
    // @ts-expect-error Export is an action of SyncLog and AuditLog, not of Member
    const alsoWrong: AuditActionOf<"Member"> = "Export";
    expect([release.action, wrong.action, alsoWrong]).toEqual(["Release", "Release", "Export"]);
  });

  it("offers every action of every entity type in the filters, once", () => {
    const all = Object.values(AUDITED).flat();
    expect(new Set(AUDIT_ACTIONS)).toEqual(new Set(all));
    expect(AUDIT_ACTIONS).toHaveLength(new Set(all).size);
  });
});
