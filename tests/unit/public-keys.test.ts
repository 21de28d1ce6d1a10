import { generateKeyPairSync, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { publicKeyFromPem, publicKeyFromSpki, rawEd25519, spkiOf } from "@/lib/crypto/public-keys";

describe("parsed public keys", () => {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const pem = publicKey.export({ format: "pem", type: "spki" }).toString();
  const der = publicKey.export({ format: "der", type: "spki" });

  it("parses a key once and verifies with it, from PEM or DER alike", () => {
    const key = publicKeyFromPem(pem);
    expect(publicKeyFromPem(pem)).toBe(key);
    expect(spkiOf(publicKeyFromSpki(der)).equals(der)).toBe(true);
    const signature = sign(null, Buffer.from("checkpoint"), privateKey);
    expect(verify(null, Buffer.from("checkpoint"), key, signature)).toBe(true);
    expect(rawEd25519(key)).toHaveLength(32);
  });

  it("refuses text that is not a key every time, and keeps nothing of it", () => {
    expect(() => publicKeyFromPem("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----")).toThrow();
    expect(() => publicKeyFromPem("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----")).toThrow();
  });
});
