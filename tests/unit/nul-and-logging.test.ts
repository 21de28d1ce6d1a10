import pino from "pino";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { isNulCharacterError } from "@/lib/errors";
import { log, serializeError } from "@/lib/log";
import { assertNoNul, nulPath } from "@/lib/validation";

describe("NUL characters in input", () => {
  it("are found in names, nested settings, arrays and keys", () => {
    expect(nulPath({ name: "ok", config: { url: "ldap://x" } })).toBeNull();
    expect(nulPath({ name: "Bad\u0000name" })).toBe("name");
    expect(nulPath({ config: { baseDn: "dc=a\u0000" } })).toBe("config.baseDn");
    expect(nulPath({ evidence: { uploadIds: ["a", "b\u0000"] } })).toBe("evidence.uploadIds.1");
    expect(nulPath({ "k\u0000": 1 })).toBe("k\\0");
    expect(nulPath("top\u0000")).toBe("form");
  });

  it("are refused as a 400 that says where", () => {
    const error = (() => {
      try {
        assertNoNul({ name: "Bad\u0000name" });
      } catch (e) {
        return e as { code: string; status: number; message: string; fieldErrors: Record<string, string[]> };
      }
    })();
    expect(error).toMatchObject({
      code: "bad_request:nul_character",
      status: 400,
      fieldErrors: { name: [expect.stringContaining("NUL character")] },
    });
    expect(error!.message).toBe("name: contains a NUL character (\\0), which text cannot hold; remove it.");
  });

  it("recognises Postgres refusing one, however deep the cause", () => {
    const pg = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: "22021" });
    expect(isNulCharacterError(new DrizzleQueryError("insert …", ["a\u0000"], pg))).toBe(true);
    expect(isNulCharacterError(Object.assign(new Error("unsupported Unicode escape sequence"), { code: "22P05" }))).toBe(true);
    expect(isNulCharacterError(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0xc3 0x28'), { code: "22021" }))).toBe(
      false,
    );
  });
});

describe("logged errors", () => {
  it("keep a failed query's statement and code but never its parameters", () => {
    const pg = Object.assign(new Error("value too long for type character varying(120)"), {
      code: "22001",
      detail: "secret detail",
      table_name: "integrations",
    });
    const failed = new DrizzleQueryError(
      'insert into "integrations" ("name", "secrets") values ($1, $2)',
      ["Corp", "v1:ENCRYPTED-SECRET-BLOB"],
      pg,
    );
    const logged = JSON.stringify(serializeError(failed));
    expect(logged).not.toContain("ENCRYPTED-SECRET-BLOB");
    expect(logged).not.toContain("Corp");
    expect(logged).not.toContain("secret detail");
    expect(logged).toContain('insert into \\"integrations\\"');
    expect(logged).toContain("params: [not logged]");
    expect(logged).toContain('"code":"22001"');
  });

  it("leave out the value a Postgres data error quotes", () => {
    const pg = Object.assign(new Error('invalid input syntax for type integer: "v1:SECRET-VALUE"'), { code: "22P02" });
    const logged = JSON.stringify(serializeError(pg));
    expect(logged).not.toContain("SECRET-VALUE");
    expect(logged).toContain('invalid input syntax for type integer: \\"[not logged]\\"');
  });

  it("is what the app's logger uses for err", () => {
    const serializers = (log as unknown as Record<symbol, Record<string, unknown>>)[pino.symbols.serializersSym];
    expect(serializers.err).toBe(serializeError);
  });
});
