/** The canonical texts a sync hashes and compares: they must not change between releases. */
import { describe, expect, it } from "vitest";
import { normalizeDn } from "@/lib/connectors/ldap";
import { stableJson } from "@/lib/syncs/staging";

const reference = (v: Record<string, unknown>) => JSON.stringify(v, Object.keys(v).sort());

describe("stableJson", () => {
  it("writes the same text as sorting keys with a replacer, whatever order and keys come", () => {
    const samples: Record<string, unknown>[] = [
      { username: "jdoe", email: "j@x.test", displayName: "J Doe", externalId: "1" },
      { externalId: "1", displayName: "J Doe", email: "j@x.test", username: "jdoe" },
      { username: "jdoe", email: "j@x.test", displayName: "J Doe", externalId: "1" },
      { groupExternalId: "g", memberExternalId: "m" },
      { b: null, a: "x", c: undefined },
      { "10": "ten", "2": "two", name: "n" },
      { "10": "ten", "2": "two", name: "n" },
      {},
      { name: 'quote " and \\ and \n and ü' },
    ];
    for (const s of samples) expect(stableJson(s)).toBe(reference(s));
    expect(stableJson({ b: "1", a: "2" })).toBe('{"a":"2","b":"1"}');
  });
});

describe("normalizeDn", () => {
  it("lower-cases plain DNs and trims spaces around separators in the others", () => {
    expect(normalizeDn("uid=JDoe,ou=People,dc=Example,dc=test")).toBe("uid=jdoe,ou=people,dc=example,dc=test");
    expect(normalizeDn("cn=User 7,ou=people,dc=example,dc=test")).toBe("cn=user 7,ou=people,dc=example,dc=test");
    expect(normalizeDn("uid=jdoe, ou=People ,dc = example,dc=test")).toBe("uid=jdoe,ou=people,dc=example,dc=test");
    expect(normalizeDn("cn=A+uid=B,dc=test")).toBe("cn=a+uid=b,dc=test");
    expect(normalizeDn("cn=A + uid=B,dc=test")).toBe("cn=a+uid=b,dc=test");
    expect(normalizeDn("cn=Smith\\, John,dc=test")).toBe("cn=smith\\, john,dc=test");
    expect(normalizeDn(" cn=x,dc=test ")).toBe("cn=x,dc=test");
  });
});
