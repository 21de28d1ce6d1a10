/**
 * C2SP signed-note checkpoints against a vector made with Go's
 * golang.org/x/mod/sumdb/note (Ed25519 is deterministic, so the whole note is
 * fixed): the same key and checkpoint must give the same bytes, and Go's
 * note must open here.
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  checkpointText,
  keyHash,
  ledgerOrigin,
  openCheckpointNote,
  originHost,
  parseVerifierKey,
  signCheckpointNote,
  verifierKey,
} from "@/lib/ledger/note";
import { parseConfig } from "@/lib/config";

const SEED = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const PRIVATE_PEM = createPrivateKey({
  key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), SEED]),
  format: "der",
  type: "pkcs8",
})
  .export({ format: "pem", type: "pkcs8" })
  .toString();
const PUBLIC_PEM = createPublicKey(PRIVATE_PEM).export({ format: "pem", type: "spki" }).toString();
const ORIGIN = "syncledger.local/ledger/acme";
const ROOT = createHash("sha256").update("root").digest();
// Printed by a Go program calling note.NewSigner / note.Sign with the same seed.
const GO_VKEY = "syncledger.local/ledger/acme+6b2e8040+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
const GO_NOTE =
  "syncledger.local/ledger/acme\n7\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n\n" +
  "\u2014 syncledger.local/ledger/acme ay6AQHXBwR6vkyKEvDOsawFRgEEgAfPYv4GRU4GFscJpMBvaIciT/MzE8bpvUDVIzNcjbIeZY1RISV5cBoa723/JSwo=\n";

describe("C2SP checkpoints", () => {
  it("formats the checkpoint body as origin, size and base64 root", () => {
    expect(checkpointText({ origin: ORIGIN, treeSize: 7, rootHash: ROOT })).toBe(
      "syncledger.local/ledger/acme\n7\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n",
    );
  });

  it("derives Go's verifier key and key hash", () => {
    expect(verifierKey(ORIGIN, PUBLIC_PEM)).toBe(GO_VKEY);
    const raw = Buffer.from(GO_VKEY.split("+").slice(2).join("+"), "base64").subarray(1);
    expect(keyHash(ORIGIN, raw).toString("hex")).toBe("6b2e8040");
  });

  it("signs byte for byte what Go signs, and opens Go's note", () => {
    expect(signCheckpointNote({ origin: ORIGIN, treeSize: 7, rootHash: ROOT }, PRIVATE_PEM)).toBe(GO_NOTE);
    const cp = openCheckpointNote(GO_NOTE, GO_VKEY);
    expect(cp).toEqual({ origin: ORIGIN, treeSize: 7, rootHash: ROOT });
  });

  it("refuses a changed body, a wrong key, another log's key and a note without a known signature", () => {
    expect(() => openCheckpointNote(GO_NOTE.replace("\n7\n", "\n8\n"), GO_VKEY)).toThrow(/does not verify/);
    const other = createPublicKey(
      createPrivateKey({
        key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.alloc(32, 9)]),
        format: "der",
        type: "pkcs8",
      }),
    )
      .export({ format: "pem", type: "spki" })
      .toString();
    expect(() => openCheckpointNote(GO_NOTE, verifierKey(ORIGIN, other))).toThrow(/no signature from a known key/);
    expect(() => openCheckpointNote(GO_NOTE, verifierKey("syncledger.local/ledger/other", PUBLIC_PEM))).toThrow(
      /no signature from a known key/,
    );
    expect(() => openCheckpointNote(GO_NOTE.split("\n\n")[0], GO_VKEY)).toThrow(/no signatures/);
    const forgedHash = GO_VKEY.replace("6b2e8040", "6b2e8041");
    expect(() => parseVerifierKey(forgedHash)).toThrow(/hash does not match/);
  });

  it("names each tenant's log from the configured host", () => {
    expect(originHost({})).toBe("syncledger.local");
    expect(originHost({ NEXTAUTH_URL: "https://Ledger.Example.com:8443/app" })).toBe("ledger.example.com");
    expect(originHost({ NEXTAUTH_URL: "https://a.example", LEDGER_ORIGIN_HOST: "log.example.org" })).toBe("log.example.org");
    expect(ledgerOrigin("log.example.org", "acme")).toBe("log.example.org/ledger/acme");
    expect(() => parseConfig({ LEDGER_ORIGIN_HOST: "https://log.example.org" })).toThrow(/LEDGER_ORIGIN_HOST/);
    expect(parseConfig({ LEDGER_ORIGIN_HOST: "log.example.org" }).LEDGER_ORIGIN_HOST).toBe("log.example.org");
  });
});
