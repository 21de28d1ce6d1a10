import { describe, expect, it } from "vitest";
import { diffRecords, isSecretField, REDACTED } from "@/lib/audit/diff";
import { neutraliseFormula } from "@/lib/http/csv";
import { decodeCursor, encodeCursor } from "@/lib/pagination";

describe("diffRecords", () => {
  it("lists only changed fields, flattening nested objects to dotted paths", () => {
    expect(
      diffRecords(
        { name: "HR LDAP", config: { url: "ldap://a", baseDn: "dc=x" }, active: true },
        { name: "HR LDAP", config: { url: "ldaps://a", baseDn: "dc=x" }, active: false },
      ),
    ).toEqual([
      { field: "active", before: true, after: false },
      { field: "config.url", before: "ldap://a", after: "ldaps://a" },
    ]);
  });

  it("redacts secrets but still says they changed, appeared or went away", () => {
    const changes = diffRecords(
      { config: { bindPassword: "old-secret", bearerToken: null } },
      { config: { bindPassword: "new-secret", bearerToken: "tok" }, clientSecret: "s" },
    );
    expect(changes).toEqual([
      { field: "clientSecret", before: null, after: REDACTED },
      { field: "config.bearerToken", before: null, after: REDACTED },
      { field: "config.bindPassword", before: REDACTED, after: REDACTED },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/secret"|tok"/);
  });

  it("treats creation and deletion as changes from and to nothing", () => {
    expect(diffRecords(null, { role: "viewer" })).toEqual([{ field: "role", before: null, after: "viewer" }]);
    expect(diffRecords({ role: "viewer" }, undefined)).toEqual([{ field: "role", before: "viewer", after: null }]);
    expect(diffRecords({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
  });

  it("recognises secret field names", () => {
    for (const f of ["password", "bindPassword", "config.clientSecret", "apiKey", "api_key", "accessToken", "privateKey"]) {
      expect(isSecretField(f), f).toBe(true);
    }
    for (const f of ["name", "baseDn", "url", "keyId", "scopes"]) expect(isSecretField(f), f).toBe(false);
  });
});

describe("CSV formula neutralisation", () => {
  it("prefixes cells a spreadsheet would evaluate", () => {
    for (const v of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) expect(neutraliseFormula(v)).toBe(`'${v}`);
    for (const v of ["plain", "1-2", "a=b", ""]) expect(neutraliseFormula(v)).toBe(v);
  });
});

describe("audit cursor", () => {
  it("round-trips the exact timestamp and id and rejects garbage", () => {
    const c = { ts: "2026-11-21 22:31:04.123456+00", id: "0b7f3c1e-5a9d-4f39-9c1e-1f2a3b4c5d6e" };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor("nonsense")).toBeNull();
    expect(decodeCursor(Buffer.from("2026-01-01|not-a-uuid").toString("base64url"))).toBeNull();
  });
});
