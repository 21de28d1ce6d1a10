/** Rotation statements: a key counts only when the key before it signed for it. */
import { describe, expect, it } from "vitest";
import { makeRotationStatement, parseRotationStatement, RotationError, trustedKeys, verifyRotationStatement } from "@/lib/ledger/rotation";
import { generateSigningKey } from "@/lib/ledger/signing";
import { verifierKey } from "@/lib/ledger/note";

const [a, b, c, evil] = [generateSigningKey(), generateSigningKey(), generateSigningKey(), generateSigningKey()];
const row = (k: typeof a, s?: { statement: string; signature: string }) => ({
  keyId: k.keyId,
  publicKeyPem: k.publicKeyPem,
  rotationStatement: s?.statement ?? null,
  rotationSignature: s?.signature ?? null,
});

describe("rotation statements", () => {
  it("are the agreed text, signed by the old key", () => {
    const s = makeRotationStatement(a.privateKeyPem, b.publicKeyPem, new Date("2026-01-02T03:04:05.000Z"));
    expect(s.statement).toMatch(
      new RegExp(
        `^syncledger-key-rotation/v1\\nold ${a.keyId}\\nnew ${b.keyId}\\nnew-key [A-Za-z0-9+/=]+\\ntime 2026-01-02T03:04:05.000Z\\n$`,
      ),
    );
    expect(verifyRotationStatement(s.statement, s.signature, a.publicKeyPem)).toMatchObject({ oldKeyId: a.keyId, newKeyId: b.keyId });
    expect(verifyRotationStatement(s.statement, s.signature, b.publicKeyPem)).toBeNull();
    expect(verifyRotationStatement(s.statement.replace(b.keyId, c.keyId), s.signature, a.publicKeyPem)).toBeNull();
    expect(() => parseRotationStatement(s.statement.replace("old", "olde"))).toThrow(RotationError);
  });

  it("make trusted exactly the keys reachable from the pinned key", () => {
    const ab = makeRotationStatement(a.privateKeyPem, b.publicKeyPem);
    const bc = makeRotationStatement(b.privateKeyPem, c.publicKeyPem);
    const keys = [row(a), row(b, ab), row(c, bc)];
    expect(trustedKeys(a.publicKeyPem, keys)).toEqual([a.keyId, b.keyId, c.keyId]);
    // Pinned as the log's note verifier key works the same.
    expect(trustedKeys(verifierKey("example.com/ledger/acme", a.publicKeyPem), keys)).toEqual([a.keyId, b.keyId, c.keyId]);
    // Pinning a later key does not reach back.
    expect(trustedKeys(b.publicKeyPem, keys)).toEqual([b.keyId, c.keyId]);
  });

  it("leave out a key inserted bare, vouched for by an untrusted key, or with a forged signature", () => {
    const ab = makeRotationStatement(a.privateKeyPem, b.publicKeyPem);
    const evilC = makeRotationStatement(evil.privateKeyPem, c.publicKeyPem);
    // A statement claiming a is old, but signed by another key.
    const forged = makeRotationStatement(evil.privateKeyPem, c.publicKeyPem);
    const forgedText = forged.statement.replace(`old ${evil.keyId}`, `old ${a.keyId}`);
    expect(trustedKeys(a.publicKeyPem, [row(a), row(b, ab), row(evil), row(c, evilC)])).toEqual([a.keyId, b.keyId]);
    expect(trustedKeys(a.publicKeyPem, [row(a), row(c, { statement: forgedText, signature: forged.signature })])).toEqual([a.keyId]);
    // A valid statement for b stored beside a different key under b's id.
    expect(trustedKeys(a.publicKeyPem, [row(a), { ...row(b, ab), publicKeyPem: c.publicKeyPem }])).toEqual([a.keyId]);
  });
});
