import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type ProofBundle, verifyBundle } from "@/lib/ledger/bundle";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import { chainEntry, entryHash, GENESIS_HASH, storedEntryHash, type LedgerEntry } from "@/lib/ledger/entry";
import {
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  MerkleBuilder,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from "@/lib/ledger/merkle";
import {
  type CheckpointBody,
  generateSigningKey,
  keyIdOf,
  signCheckpoint,
  type SignedCheckpoint,
  verifyCheckpointSignature,
} from "@/lib/ledger/signing";

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();
const sha256Hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** RFC 9162 MTH written the obvious way, to check the fast one against. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256(Buffer.alloc(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.concat([Buffer.from([1]), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k))]));
}

const leavesOf = (n: number, salt = "leaf") => Array.from({ length: n }, (_, i) => leafHash(sha256Hex(`${salt}-${i}`)));

function flipByte(b: Buffer, at = 0): Buffer {
  const copy = Buffer.from(b);
  copy[at] ^= 0x01;
  return copy;
}

describe("canonicalJson (RFC 8785)", () => {
  it("sorts keys by UTF-16 code units, not by code points", () => {
    const text = canonicalJson({
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    });
    expect(text).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it("reproduces the RFC 8785 §3.2.2 example", () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("formats numbers the ECMAScript way", () => {
    expect(canonicalJson([1e21, 1e20, 0.1, -0, 1e-7, 5e-324, -1.7976931348623157e308, 9007199254740992])).toBe(
      "[1e+21,100000000000000000000,0.1,0,1e-7,5e-324,-1.7976931348623157e+308,9007199254740992]",
    );
  });

  it("sorts nested objects and leaves array order alone", () => {
    expect(canonicalJson({ b: [{ z: 1, a: 2 }, 3], a: { d: null, c: "x" } })).toBe('{"a":{"c":"x","d":null},"b":[{"a":2,"z":1},3]}');
  });

  it("refuses values JSON cannot carry", () => {
    for (const bad of [undefined, NaN, Infinity, -Infinity, 10n, { a: NaN }, [Infinity], { n: 1n }, "\ud800", () => 1]) {
      expect(() => canonicalJson(bad), String(bad)).toThrow(/canonicalJson: value cannot be represented/);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/canonicalJson/);
  });
});

describe("entryHash", () => {
  const base = {
    tenantId: "7f3e2b0c-8d4e-4f2a-9b1c-5d6e7f8a9b0c",
    seq: 1,
    kind: "evidence" as const,
    refId: "ev-1",
    createdAt: "2026-11-22T01:02:03.456Z",
    prevHash: GENESIS_HASH,
    record: { title: "Access review", files: [{ name: "a.pdf", sha256: "ab".repeat(32), size: 10 }], owner: { id: 1, name: "Zoë" } },
  };

  it("is SHA-256 of the canonical JSON of v:1 plus the entry fields", () => {
    const expected = sha256Hex(
      Buffer.from(
        `{"createdAt":"2026-11-22T01:02:03.456Z","kind":"evidence","prevHash":"${GENESIS_HASH}",` +
          `"record":{"files":[{"name":"a.pdf","sha256":"${"ab".repeat(32)}","size":10}],"owner":{"id":1,"name":"Zoë"},"title":"Access review"},` +
          `"refId":"ev-1","seq":1,"tenantId":"7f3e2b0c-8d4e-4f2a-9b1c-5d6e7f8a9b0c","v":1}`,
        "utf8",
      ),
    );
    expect(entryHash(base)).toBe(expected);
    expect(entryHash(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("does not depend on the key order of the record", () => {
    const reordered = {
      ...base,
      record: { owner: { name: "Zoë", id: 1 }, title: "Access review", files: [{ size: 10, sha256: "ab".repeat(32), name: "a.pdf" }] },
    };
    expect(entryHash(reordered)).toBe(entryHash(base));
    expect(entryHash(JSON.parse(JSON.stringify(base)))).toBe(entryHash(base));
  });

  it("changes with every field and ignores fields outside the definition", () => {
    const h = entryHash(base);
    const variants = [
      { ...base, tenantId: "other" },
      { ...base, seq: 2 },
      { ...base, kind: "audit" as const },
      { ...base, refId: "ev-2" },
      { ...base, createdAt: "2026-11-22T01:02:03.457Z" },
      { ...base, prevHash: "1".repeat(64) },
      { ...base, record: { ...base.record, title: "Access review " } },
    ];
    for (const v of variants) expect(entryHash(v)).not.toBe(h);
    expect(entryHash({ ...base, hash: "whatever", extra: 1 } as never)).toBe(h);
  });

  it("refuses values that would not hash the same after a round trip through storage", () => {
    expect(() => entryHash({ ...base, seq: "1" as never })).toThrow(/seq/);
    expect(() => entryHash({ ...base, seq: 0 })).toThrow(/seq/);
    expect(() => entryHash({ ...base, createdAt: new Date(0) as never })).toThrow(/createdAt/);
    expect(() => entryHash({ ...base, createdAt: "2026-11-22T01:02:03.456789Z" })).toThrow(/createdAt/);
    expect(() => entryHash({ ...base, createdAt: "2026-11-22 01:02:03+00" })).toThrow(/createdAt/);
    expect(() => entryHash({ ...base, prevHash: "ABC" })).toThrow(/prevHash/);
    expect(() => entryHash({ ...base, kind: "other" as never })).toThrow(/kind/);
    expect(() => entryHash({ ...base, record: [] as never })).toThrow(/record/);
  });

  it("chains entries from the genesis hash", () => {
    const first = chainEntry(null, { tenantId: "t", kind: "audit", refId: "a1", createdAt: base.createdAt, record: { x: 1 } });
    const second = chainEntry(first, { tenantId: "t", kind: "sync", refId: "s1", createdAt: base.createdAt, record: {} });
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash });
    const { hash, ...rest } = second;
    expect(entryHash(rest)).toBe(hash);
  });
});

describe("Merkle tree (RFC 9162)", () => {
  it("hashes leaves as SHA-256(0x00 || entry hash bytes)", () => {
    const h = sha256Hex("x");
    expect(leafHash(h).equals(sha256(Buffer.concat([Buffer.from([0]), Buffer.from(h, "hex")])))).toBe(true);
    expect(() => leafHash("ABC")).toThrow();
    expect(() => leafHash(h.toUpperCase())).toThrow();
  });

  it("matches the Certificate Transparency reference vectors", () => {
    const data = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
    const leaves = data.map((d) => sha256(Buffer.concat([Buffer.from([0]), Buffer.from(d, "hex")])));
    const roots = [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    for (const [i, root] of roots.entries()) expect(merkleRoot(leaves.slice(0, i + 1)).toString("hex"), `size ${i + 1}`).toBe(root);
  });

  it("gives the empty tree the hash of the empty string", () => {
    expect(merkleRoot([]).toString("hex")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(EMPTY_ROOT.equals(merkleRoot([]))).toBe(true);
    expect(new MerkleBuilder().root().equals(EMPTY_ROOT)).toBe(true);
  });

  it("computes the same root as a straightforward recursive implementation", () => {
    const all = leavesOf(1100);
    for (const n of [...Array.from({ length: 70 }, (_, i) => i), 127, 128, 129, 255, 256, 257, 1000, 1100]) {
      const leaves = all.slice(0, n);
      expect(merkleRoot(leaves).equals(referenceRoot(leaves)), `size ${n}`).toBe(true);
    }
  });

  it("does not modify the leaves it is given", () => {
    const leaves = leavesOf(13);
    const copy = leaves.map((l) => Buffer.from(l));
    merkleRoot(leaves);
    inclusionProof(5, leaves);
    consistencyProof(6, leaves);
    expect(leaves).toEqual(copy);
  });

  it("refuses leaves that are not 32 bytes", () => {
    expect(() => merkleRoot([Buffer.alloc(31)])).toThrow(/32-byte/);
    expect(() => merkleRoot([...leavesOf(3), Buffer.alloc(33)])).toThrow(/32-byte/);
    expect(() => new MerkleBuilder().push(Buffer.alloc(8))).toThrow(/32-byte/);
  });

  it("streams to the same root with O(log n) state", () => {
    const all = leavesOf(1030);
    const builder = new MerkleBuilder();
    for (let n = 0; n <= all.length; n++) {
      if (n < 80 || n % 97 === 0 || n === all.length) {
        expect(builder.size).toBe(n);
        expect(builder.root().equals(merkleRoot(all.slice(0, n))), `size ${n}`).toBe(true);
      }
      if (n < all.length) builder.push(all[n]);
    }
  });

  it("proves inclusion of every leaf for every size from 1 to 33", () => {
    const all = leavesOf(40);
    const lengths = new Map<string, number>();
    const pathLength = (index: number, size: number) => {
      const k = `${index}/${size}`;
      if (!lengths.has(k)) lengths.set(k, inclusionProof(index, all.slice(0, size)).length);
      return lengths.get(k)!;
    };
    for (let n = 1; n <= 33; n++) {
      const leaves = all.slice(0, n);
      const root = merkleRoot(leaves);
      const otherRoot = merkleRoot(leavesOf(n, "other"));
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, leaves);
        const where = `size ${n} index ${i}`;
        expect(verifyInclusion(leaves[i], i, n, proof, root), where).toBe(true);
        // a wrong leaf, root or index
        expect(verifyInclusion(all[n], i, n, proof, root), where).toBe(false);
        expect(verifyInclusion(flipByte(leaves[i], 31), i, n, proof, root), where).toBe(false);
        expect(verifyInclusion(leaves[i], i, n, proof, otherRoot), where).toBe(false);
        if (n > 1) {
          expect(verifyInclusion(leaves[i], (i + 1) % n, n, proof, root), where).toBe(false);
          expect(verifyInclusion(leaves[(i + 1) % n], i, n, proof, root), where).toBe(false);
        }
        // a tampered, shortened or lengthened proof
        proof.forEach((_, j) => {
          const tampered = proof.map((p, k) => (k === j ? flipByte(p, 7) : p));
          expect(verifyInclusion(leaves[i], i, n, tampered, root), `${where} element ${j}`).toBe(false);
        });
        if (proof.length > 0) expect(verifyInclusion(leaves[i], i, n, proof.slice(0, -1), root), where).toBe(false);
        expect(verifyInclusion(leaves[i], i, n, [...proof, root], root), where).toBe(false);
        // a size the leaf is outside of, or whose path has another shape; sizes with
        // the same path shape are bound to the root by the signed checkpoint instead
        expect(verifyInclusion(leaves[i], i, i, proof, root), where).toBe(false);
        for (let s = i + 1; s <= 40; s++) {
          if (s !== n && pathLength(i, s) !== proof.length) {
            expect(verifyInclusion(leaves[i], i, s, proof, root), `${where} claimed size ${s}`).toBe(false);
          }
        }
      }
    }
  });

  it("rejects malformed inclusion input without throwing", () => {
    const leaves = leavesOf(5);
    const root = merkleRoot(leaves);
    const proof = inclusionProof(2, leaves);
    expect(verifyInclusion(leaves[2], -1, 5, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[2], 2.5, 5, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[2], 2, 5, [...proof.slice(0, -1), Buffer.alloc(3)], root)).toBe(false);
    expect(verifyInclusion(leaves[2], 2, 5, proof, Buffer.alloc(0))).toBe(false);
    expect(verifyInclusion(leaves[2], 2, 5, null as never, root)).toBe(false);
    expect(() => inclusionProof(5, leaves)).toThrow();
    expect(() => inclusionProof(0, [])).toThrow();
  });

  it("proves consistency for every pair of sizes 1 ≤ m ≤ n ≤ 20", () => {
    const all = leavesOf(20);
    const rewritten = all.map((l, i) => (i === 0 ? flipByte(l) : l));
    for (let n = 1; n <= 20; n++) {
      const leaves = all.slice(0, n);
      const newRoot = merkleRoot(leaves);
      for (let m = 1; m <= n; m++) {
        const where = `m ${m} n ${n}`;
        const oldRoot = merkleRoot(all.slice(0, m));
        const proof = consistencyProof(m, leaves);
        expect(verifyConsistency(m, n, oldRoot, newRoot, proof), where).toBe(true);
        expect(verifyConsistency(m, n, flipByte(oldRoot), newRoot, proof), where).toBe(false);
        expect(verifyConsistency(m, n, oldRoot, flipByte(newRoot), proof), where).toBe(false);
        // history rewritten before the old checkpoint
        expect(verifyConsistency(m, n, merkleRoot(rewritten.slice(0, m)), newRoot, proof), where).toBe(false);
        if (m === n) {
          expect(proof).toEqual([]);
          expect(verifyConsistency(m, n, oldRoot, newRoot, [oldRoot]), where).toBe(false);
          continue;
        }
        expect(verifyConsistency(m, n, oldRoot, merkleRoot(rewritten.slice(0, n)), proof), where).toBe(false);
        // an entry after the old checkpoint changed: the old root still holds, the new one differs
        const appendedDifferently = all.slice(0, n).map((l, i) => (i === n - 1 ? flipByte(l) : l));
        expect(verifyConsistency(m, n, oldRoot, merkleRoot(appendedDifferently), proof), where).toBe(false);
        proof.forEach((_, j) => {
          const tampered = proof.map((p, k) => (k === j ? flipByte(p, 3) : p));
          expect(verifyConsistency(m, n, oldRoot, newRoot, tampered), `${where} element ${j}`).toBe(false);
        });
        expect(verifyConsistency(m, n, oldRoot, newRoot, proof.slice(0, -1)), where).toBe(false);
        expect(verifyConsistency(m, n, oldRoot, newRoot, [...proof, newRoot]), where).toBe(false);
        expect(verifyConsistency(m, n, oldRoot, newRoot, []), where).toBe(false);
        expect(verifyConsistency(n, m, newRoot, oldRoot, proof), where).toBe(false);
      }
    }
  });

  it("treats the empty tree as consistent with any tree", () => {
    const leaves = leavesOf(6);
    expect(consistencyProof(0, leaves)).toEqual([]);
    expect(verifyConsistency(0, 6, EMPTY_ROOT, merkleRoot(leaves), [])).toBe(true);
    expect(verifyConsistency(0, 6, merkleRoot(leaves), merkleRoot(leaves), [])).toBe(false);
    expect(() => consistencyProof(7, leaves)).toThrow();
  });
});

describe("checkpoint signatures", () => {
  const key = generateSigningKey();
  const body: CheckpointBody = {
    v: 1,
    tenantId: "7f3e2b0c-8d4e-4f2a-9b1c-5d6e7f8a9b0c",
    treeSize: 42,
    rootHash: sha256Hex("root"),
    createdAt: "2026-11-22T01:02:03.456Z",
    keyId: key.keyId,
  };

  it("names a key by the first 16 hex characters of SHA-256 of its DER SPKI", async () => {
    const { createPublicKey } = await import("node:crypto");
    const der = createPublicKey(key.publicKeyPem).export({ type: "spki", format: "der" });
    expect(key.keyId).toBe(sha256Hex(der).slice(0, 16));
    expect(keyIdOf(key.publicKeyPem)).toBe(key.keyId);
    expect(() => keyIdOf("not a key")).toThrow();
  });

  it("signs the canonical JSON of the body with Ed25519", async () => {
    const { createPublicKey, verify } = await import("node:crypto");
    const cp = signCheckpoint(body, key.privateKeyPem);
    expect(cp).toEqual({ ...body, signature: expect.any(String) });
    const signed = Buffer.from(canonicalJson(body), "utf8");
    expect(verify(null, signed, createPublicKey(key.publicKeyPem), Buffer.from(cp.signature, "base64"))).toBe(true);
    expect(verifyCheckpointSignature(cp, key.publicKeyPem)).toBe(true);
    expect(verifyCheckpointSignature(JSON.parse(JSON.stringify(cp)), key.publicKeyPem)).toBe(true);
  });

  it("fails when any signed field or the signature changes", () => {
    const cp = signCheckpoint(body, key.privateKeyPem);
    const changed: SignedCheckpoint[] = [
      { ...cp, treeSize: 43 },
      { ...cp, rootHash: sha256Hex("other root") },
      { ...cp, tenantId: "another-tenant" },
      { ...cp, createdAt: "2026-11-22T01:02:03.457Z" },
    ];
    for (const c of changed) expect(verifyCheckpointSignature(c, key.publicKeyPem)).toBe(false);
    const sig = Buffer.from(cp.signature, "base64");
    for (const at of [0, 31, 63]) {
      expect(verifyCheckpointSignature({ ...cp, signature: flipByte(sig, at).toString("base64") }, key.publicKeyPem)).toBe(false);
    }
  });

  it("fails with another key, including one claiming the right key id", () => {
    const cp = signCheckpoint(body, key.privateKeyPem);
    const other = generateSigningKey();
    expect(verifyCheckpointSignature(cp, other.publicKeyPem)).toBe(false);
    const byOther = signCheckpoint({ ...body, keyId: other.keyId }, other.privateKeyPem);
    expect(verifyCheckpointSignature({ ...byOther, keyId: key.keyId }, key.publicKeyPem)).toBe(false);
    expect(verifyCheckpointSignature({ ...byOther, keyId: key.keyId }, other.publicKeyPem)).toBe(false);
    expect(() => signCheckpoint(body, other.privateKeyPem)).toThrow(/names key/);
  });

  it("fails when the checkpoint names another key id, even if this key made the signature", async () => {
    const { createPrivateKey, createPublicKey, sign, verify } = await import("node:crypto");
    const mislabelled = { ...body, keyId: "0123456789abcdef" };
    const bytes = Buffer.from(canonicalJson(mislabelled), "utf8");
    const signature = sign(null, bytes, createPrivateKey(key.privateKeyPem));
    expect(verify(null, bytes, createPublicKey(key.publicKeyPem), signature)).toBe(true);
    expect(verifyCheckpointSignature({ ...mislabelled, signature: signature.toString("base64") }, key.publicKeyPem)).toBe(false);
  });

  it("returns false for malformed input instead of throwing", () => {
    const cp = signCheckpoint(body, key.privateKeyPem);
    expect(verifyCheckpointSignature(cp, "garbage")).toBe(false);
    expect(verifyCheckpointSignature(cp, key.privateKeyPem)).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, signature: "!!" }, key.publicKeyPem)).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, signature: `${cp.signature}\n` }, key.publicKeyPem)).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, signature: undefined } as never, key.publicKeyPem)).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, treeSize: "42" } as never, key.publicKeyPem)).toBe(false);
    expect(verifyCheckpointSignature(null as never, key.publicKeyPem)).toBe(false);
  });
});

describe("verifyBundle", () => {
  const tenantId = "7f3e2b0c-8d4e-4f2a-9b1c-5d6e7f8a9b0c";
  const key = generateSigningKey();
  const fileHash = sha256Hex("the evidence file");

  function makeLedger(n: number, tenant = tenantId, titlePrefix = "Evidence"): LedgerEntry[] {
    const ledger: LedgerEntry[] = [];
    for (let seq = 1; seq <= n; seq++) {
      const kind = seq % 3 === 0 ? "evidence" : seq % 3 === 1 ? "sync" : "audit";
      const record =
        kind === "evidence"
          ? {
              title: `${titlePrefix} ${seq}`,
              files: [
                { name: `e${seq}.pdf`, sha256: seq === 3 ? fileHash : sha256Hex(`file ${seq}`), size: 17, contentType: "application/pdf" },
              ],
            }
          : { n: seq, status: "succeeded" };
      ledger.push(
        chainEntry(ledger.at(-1) ?? null, {
          tenantId: tenant,
          kind,
          refId: `${kind}-${seq}`,
          createdAt: new Date(Date.UTC(2026, 10, 22, 0, 0, seq)).toISOString(),
          record,
        }),
      );
    }
    return ledger;
  }

  function makeBundle(ledger: LedgerEntry[], seqs: number[], signer = key): ProofBundle {
    const leaves = ledger.map((e) => leafHash(e.hash));
    const checkpoint = signCheckpoint(
      {
        v: 1,
        tenantId,
        treeSize: ledger.length,
        rootHash: merkleRoot(leaves).toString("hex"),
        createdAt: "2026-11-23T00:00:00.000Z",
        keyId: signer.keyId,
      },
      signer.privateKeyPem,
    );
    const bundle: ProofBundle = {
      format: "syncledger-proof-bundle/1",
      tenantId,
      subject: { type: "evidence", id: "evidence-3", description: "Quarterly access review" },
      entries: seqs.map((s) => ledger[s - 1]),
      proofs: seqs.map((s) => ({ seq: s, proof: inclusionProof(s - 1, leaves).map((p) => p.toString("hex")) })),
      checkpoint,
      publicKeys: [{ keyId: signer.keyId, publicKeyPem: signer.publicKeyPem }],
      files: [{ entrySeq: 3, name: "e3.pdf", sha256: fileHash, size: 17 }],
      createdAt: "2026-11-23T00:00:01.000Z",
    };
    // What a verifier sees is the downloaded JSON, not these objects.
    return JSON.parse(JSON.stringify(bundle));
  }

  const ledger = makeLedger(12);
  const good = () => makeBundle(ledger, [3, 4, 9]);
  const trusted = [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem }];

  it("accepts a good bundle, saying where the key came from", () => {
    expect(verifyBundle(good())).toEqual({
      ok: true,
      checked: 3,
      problems: [],
      keySource: "bundle",
      checkpoint: expect.objectContaining({ treeSize: 12, keyId: key.keyId }),
    });
    expect(verifyBundle(good(), { trustedKeys: trusted })).toMatchObject({ ok: true, checked: 3, problems: [], keySource: "trusted" });
    expect(verifyBundle(makeBundle(ledger, [1, 2, 3, 12]))).toMatchObject({ ok: true, checked: 4 });
  });

  it("reports a record changed after the fact", () => {
    const b = good();
    (b.entries[1].record as { status: string }).status = "failed";
    expect(verifyBundle(b).problems).toEqual([{ seq: 4, reason: "entry 4: hash does not match its contents" }]);
    const c = good();
    c.entries[0].record.title = "Something else";
    expect(verifyBundle(c).problems).toEqual([{ seq: 3, reason: "entry 3: hash does not match its contents" }]);
  });

  it("reports an entry swapped for one that is not in the signed tree", () => {
    const other = chainEntry(ledger[7], { ...ledger[8], createdAt: "2026-12-01T00:00:00.000Z" });
    const b = good();
    b.entries[2] = JSON.parse(JSON.stringify(other));
    expect(verifyBundle(b).problems).toEqual([{ seq: 9, reason: "entry 9: not included in the checkpoint's tree of size 12" }]);

    const swapped = good();
    [swapped.proofs[0].proof, swapped.proofs[2].proof] = [swapped.proofs[2].proof, swapped.proofs[0].proof];
    expect(verifyBundle(swapped).problems).toEqual([
      { seq: 3, reason: "entry 3: not included in the checkpoint's tree of size 12" },
      { seq: 9, reason: "entry 9: not included in the checkpoint's tree of size 12" },
    ]);

    const relabelled = good();
    relabelled.entries[2] = { ...ledger[9], seq: 9 };
    expect(verifyBundle(relabelled).problems).toEqual([
      { seq: 9, reason: "entry 9: hash does not match its contents" },
      { seq: 9, reason: "entry 9: not included in the checkpoint's tree of size 12" },
    ]);
  });

  it("reports a wrong or missing inclusion proof", () => {
    const b = good();
    const p = b.proofs[1].proof;
    p[0] = (p[0][0] === "0" ? "1" : "0") + p[0].slice(1);
    expect(verifyBundle(b).problems).toEqual([{ seq: 4, reason: "entry 4: not included in the checkpoint's tree of size 12" }]);
    const c = good();
    c.proofs.splice(2, 1);
    expect(verifyBundle(c).problems).toEqual([{ seq: 9, reason: "entry 9: no inclusion proof" }]);
  });

  it("reports a checkpoint that claims another size or root than it signed", () => {
    const b = good();
    b.checkpoint.treeSize = 16;
    const { problems } = verifyBundle(b);
    expect(problems).toContainEqual({ reason: `checkpoint signature does not verify with key ${key.keyId}` });
  });

  it("reports a forged signature", () => {
    const b = good();
    const sig = Buffer.from(b.checkpoint.signature, "base64");
    b.checkpoint.signature = flipByte(sig, 10).toString("base64");
    expect(verifyBundle(b)).toMatchObject({
      ok: false,
      problems: [{ reason: `checkpoint signature does not verify with key ${key.keyId}` }],
    });
  });

  it("with trusted keys, reports a bundle signed with a key that is not trusted", () => {
    // A rewritten history, re-signed with the forger's own key, is internally
    // consistent and passes on the key it carries…
    const attacker = generateSigningKey();
    const rewritten = makeBundle(makeLedger(12, tenantId, "Rewritten"), [3, 4, 9], attacker);
    expect(rewritten.entries[0].record.title).toBe("Rewritten 3");
    expect(verifyBundle(rewritten)).toMatchObject({ ok: true, keySource: "bundle" });
    // …but not against the keys the verifier trusts.
    expect(verifyBundle(rewritten, { trustedKeys: trusted })).toMatchObject({
      ok: false,
      keySource: "trusted",
      problems: [
        { reason: `bundle key ${attacker.keyId} is not a trusted key` },
        { reason: `checkpoint is signed with key ${attacker.keyId}, which is not a trusted key` },
      ],
    });
  });

  it("reports a bundle key whose label is not its own id", () => {
    const b = good();
    const other = generateSigningKey();
    b.publicKeys = [{ keyId: key.keyId, publicKeyPem: other.publicKeyPem }];
    expect(verifyBundle(b).problems).toEqual([
      { reason: `bundle key labelled ${key.keyId} is really key ${other.keyId}` },
      { reason: `checkpoint is signed with key ${key.keyId}, which the bundle does not include` },
    ]);
  });

  it("reports a file whose hash its entry's record does not list", () => {
    const b = good();
    const forgedHash = sha256Hex("a different file");
    b.files = [{ entrySeq: 3, name: "e3.pdf", sha256: forgedHash, size: 17 }];
    expect(verifyBundle(b).problems).toEqual([
      { seq: 3, reason: `file e3.pdf: sha256 ${forgedHash} is not listed in the record of entry 3` },
    ]);
    const c = good();
    c.files = [{ entrySeq: 4, name: "e3.pdf", sha256: fileHash, size: 17 }];
    expect(verifyBundle(c).problems).toEqual([
      { seq: 4, reason: `file e3.pdf: sha256 ${fileHash} is not listed in the record of entry 4` },
    ]);
  });

  it("matches a file by name as well as hash: a listed hash under another name is refused", () => {
    const b = good();
    b.files = [{ entrySeq: 3, name: "renamed.pdf", sha256: fileHash, size: 17 }];
    expect(verifyBundle(b).problems).toEqual([
      { seq: 3, reason: `file renamed.pdf: the record of entry 3 lists sha256 ${fileHash} under the name "e3.pdf"` },
    ]);
    const named = new Map([["evidence/x/other.pdf", { sha256: fileHash, size: 17, name: "other.pdf" }]]);
    expect(verifyBundle(good(), { files: named }).problems).toEqual([
      { reason: `file evidence/x/other.pdf: its sha256 ${fileHash} belongs to "e3.pdf" in the bundle, not "other.pdf"` },
    ]);
    expect(verifyBundle(good(), { files: new Map([["evidence/x/e3.pdf", { sha256: fileHash, size: 17, name: "e3.pdf" }]]) }).ok).toBe(true);
  });

  it("checks local files against the bundle's files", () => {
    const matching = new Map([["./e3.pdf", { sha256: fileHash, size: 17 }]]);
    expect(verifyBundle(good(), { files: matching }).ok).toBe(true);
    const other = sha256Hex("not it");
    const result = verifyBundle(good(), { files: new Map([["./x.pdf", { sha256: other, size: 17 }]]) });
    expect(result.problems).toEqual([{ reason: `file ./x.pdf: its sha256 ${other} is not one of the bundle's files` }]);
  });

  it("reports entries of another tenant and broken chain links", () => {
    const foreign = makeLedger(12, "another-tenant");
    const b = good();
    b.entries[1] = foreign[3];
    expect(verifyBundle(b).problems).toEqual(
      expect.arrayContaining([{ seq: 4, reason: `entry 4: belongs to tenant another-tenant, not ${tenantId}` }]),
    );
    const c = makeBundle(ledger, [3, 4]);
    c.entries[1] = chainEntry({ seq: 3, hash: "f".repeat(64) }, { ...ledger[3] });
    expect(verifyBundle(c).problems).toEqual(
      expect.arrayContaining([{ seq: 4, reason: "entry 4: prevHash does not match the hash of entry 3" }]),
    );
  });

  it("says plainly when the input is not a bundle", () => {
    for (const notBundle of [null, "x", {}, { ...good(), format: "something-else" }, { ...good(), entries: [{ seq: 1 }] }]) {
      const result = verifyBundle(notBundle);
      expect(result.ok).toBe(false);
      expect(result.checked).toBe(0);
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0].reason).toMatch(/^not a SyncLedger proof bundle \(/);
    }
  });
});

describe("storedEntryHash", () => {
  it("equals entryHash for the record's canonical text, whatever the record holds", () => {
    const records: Record<string, unknown>[] = [
      { a: 1 },
      { z: "ü", a: [1, 2.5, -0, 1e21, null, true], nested: { "€": "\u2028", b: 'quote " and \\ backslash' } },
      { id: "x", details: "tab\there, newline\nthere", emoji: "😀" },
    ];
    let prev: LedgerEntry | null = null;
    for (const record of records) {
      const entry = chainEntry(prev, {
        tenantId: "11111111-1111-4111-8111-111111111111",
        kind: "audit",
        refId: "r",
        createdAt: "2026-11-22T01:02:03.456Z",
        record,
      });
      const { record: r, hash, ...rest } = entry;
      expect(storedEntryHash({ ...rest, recordJson: canonicalJson(r) })).toBe(hash);
      expect(storedEntryHash({ ...rest, recordJson: canonicalJson({ ...r, extra: 1 }) })).not.toBe(hash);
      prev = entry;
    }
  });
});

describe("MerkleBuilder snapshots", () => {
  it("resumes from a snapshot to the same root as building from scratch, and refuses a frontier that does not fit", () => {
    const leaves = Array.from({ length: 77 }, (_, i) => leafHash(createHash("sha256").update(`leaf ${i}`).digest("hex")));
    for (const cut of [0, 1, 2, 5, 32, 33, 64, 76]) {
      const first = new MerkleBuilder();
      for (const l of leaves.slice(0, cut)) first.push(l);
      const { size, frontier } = first.snapshot();
      const resumed = MerkleBuilder.restore(size, frontier);
      for (const l of leaves.slice(cut)) resumed.push(l);
      expect(resumed.root().equals(merkleRoot(leaves))).toBe(true);
    }
    expect(() => MerkleBuilder.restore(5, [leaves[0]])).toThrow(/does not fit/);
  });
});
