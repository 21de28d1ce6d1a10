/**
 * Merkle trees over a tenant's ledger, as defined in RFC 9162 §2.1 (Certificate
 * Transparency v2): roots, a streaming builder, inclusion proofs and consistency
 * proofs. A leaf is an entry's hash; leaves are ordered by seq (index = seq - 1).
 */
import * as nodeCrypto from "node:crypto";

const HASH_SIZE = 32;
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

// crypto.hash (Node >= 20.12) skips the Hash object and, with a string digest,
// the slow Buffer return path: for 65-byte inputs it is several times faster,
// which is what makes a million-leaf root take well under a second.
const digestBinary: (data: Buffer) => string =
  typeof nodeCrypto.hash === "function"
    ? (data) => nodeCrypto.hash("sha256", data, "binary")
    : (data) => nodeCrypto.createHash("sha256").update(data).digest("binary");

/** MTH({}): the root of the empty tree, SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = nodeCrypto.createHash("sha256").digest();

/** SHA-256(0x00 || the 32 bytes of an entry hash). */
export function leafHash(entryHashHex: string): Buffer {
  if (typeof entryHashHex !== "string" || !/^[0-9a-f]{64}$/.test(entryHashHex)) {
    throw new Error("leafHash: an entry hash is 64 lowercase hex characters");
  }
  const input = Buffer.allocUnsafe(1 + HASH_SIZE);
  input[0] = LEAF_PREFIX;
  input.write(entryHashHex, 1, "hex");
  return Buffer.from(digestBinary(input), "binary");
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  const input = Buffer.allocUnsafe(1 + 2 * HASH_SIZE);
  input[0] = NODE_PREFIX;
  left.copy(input, 1);
  right.copy(input, 1 + HASH_SIZE);
  return Buffer.from(digestBinary(input), "binary");
}

/** MTH(D[n]) of RFC 9162 §2.1.1. */
export function merkleRoot(leafHashes: Buffer[]): Buffer {
  return rangeRoot(leafHashes, 0, leafHashes.length);
}

/**
 * Builds a root from leaves pushed one at a time, keeping only the roots of the
 * complete subtrees seen so far (one per set bit of size), so a verifier can
 * stream a whole ledger without holding it.
 */
export class MerkleBuilder {
  #stack: Buffer[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(leafHash: Buffer): void {
    assertHash(leafHash, "leaf hash");
    let node = leafHash;
    // Each trailing 1 bit of the old size is a complete subtree of the same
    // height as the one just finished: merge them.
    for (let s = this.#size; s % 2 === 1; s = Math.floor(s / 2)) {
      node = nodeHash(this.#stack.pop()!, node);
    }
    this.#stack.push(node);
    this.#size++;
  }

  /** The state to resume from: the size and the roots of its complete subtrees, largest first. */
  snapshot(): { size: number; frontier: Buffer[] } {
    return { size: this.#size, frontier: this.#stack.map((b) => Buffer.from(b)) };
  }

  /** A builder that continues from a snapshot; the frontier must have one root per set bit of size. */
  static restore(size: number, frontier: Buffer[]): MerkleBuilder {
    const bits = size
      .toString(2)
      .split("")
      .filter((b) => b === "1").length;
    if (!Number.isSafeInteger(size) || size < 0 || frontier.length !== bits)
      throw new Error("MerkleBuilder.restore: the frontier does not fit the size");
    for (const node of frontier) assertHash(node, "frontier node");
    const builder = new MerkleBuilder();
    builder.#stack = frontier.map((b) => Buffer.from(b));
    builder.#size = size;
    return builder;
  }

  root(): Buffer {
    if (this.#stack.length === 0) return Buffer.from(EMPTY_ROOT);
    let acc = this.#stack[this.#stack.length - 1];
    for (let i = this.#stack.length - 2; i >= 0; i--) acc = nodeHash(this.#stack[i], acc);
    return Buffer.from(acc);
  }
}

/** MTH(D[lo:hi]): the root of a range of leaves, as the proof algorithms ask for it. */
export type RangeRoot = (lo: number, hi: number) => Buffer;

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1: sibling hashes from the leaf upwards. */
export function inclusionProof(index: number, leafHashes: Buffer[]): Buffer[] {
  const n = leafHashes.length;
  if (!Number.isSafeInteger(index) || index < 0 || index >= n) {
    throw new Error(`inclusionProof: index ${index} is outside a tree of size ${n}`);
  }
  return inclusionPath(index, n, (lo, hi) => rangeRoot(leafHashes, lo, hi));
}

/** PATH(index, D[size]) with the subtree roots from `root`: leaves in memory or stored subtrees. */
export function inclusionPath(index: number, size: number, root: RangeRoot): Buffer[] {
  const proof: Buffer[] = [];
  const path = (m: number, lo: number, hi: number): void => {
    if (hi - lo <= 1) return;
    const k = largestPowerOfTwoBelow(hi - lo);
    if (m < k) {
      path(m, lo, lo + k);
      proof.push(root(lo + k, hi));
    } else {
      path(m - k, lo + k, hi);
      proof.push(root(lo, lo + k));
    }
  };
  path(index, 0, size);
  return proof;
}

/** The verification algorithm of RFC 9162 §2.1.3.2. Never throws. */
export function verifyInclusion(leafHash: Buffer, index: number, treeSize: number, proof: Buffer[], root: Buffer): boolean {
  if (!isHash(leafHash) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/**
 * PROOF(m, D[n]) of RFC 9162 §2.1.4.1: shows that the tree of the first
 * `oldSize` leaves is a prefix of the tree of all of them. Empty when
 * oldSize is 0 or equals the number of leaves.
 */
export function consistencyProof(oldSize: number, leafHashes: Buffer[]): Buffer[] {
  const n = leafHashes.length;
  if (!Number.isSafeInteger(oldSize) || oldSize < 0 || oldSize > n) {
    throw new Error(`consistencyProof: old size ${oldSize} is outside 0..${n}`);
  }
  return consistencyPath(oldSize, n, (lo, hi) => rangeRoot(leafHashes, lo, hi));
}

/** PROOF(oldSize, D[size]) with the subtree roots from `root`; empty when oldSize is 0 or size. */
export function consistencyPath(oldSize: number, size: number, root: RangeRoot): Buffer[] {
  const proof: Buffer[] = [];
  if (oldSize === 0 || oldSize === size) return proof;
  const subproof = (m: number, lo: number, hi: number, wholeOldTree: boolean): void => {
    if (m === hi - lo) {
      if (!wholeOldTree) proof.push(root(lo, hi));
      return;
    }
    const k = largestPowerOfTwoBelow(hi - lo);
    if (m <= k) {
      subproof(m, lo, lo + k, wholeOldTree);
      proof.push(root(lo + k, hi));
    } else {
      subproof(m - k, lo + k, hi, false);
      proof.push(root(lo, lo + k));
    }
  };
  subproof(oldSize, 0, size, true);
  return proof;
}

/** The verification algorithm of RFC 9162 §2.1.4.2, extended to oldSize 0 and oldSize = newSize. Never throws. */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Buffer, newRoot: Buffer, proof: Buffer[]): boolean {
  if (!isHash(oldRoot) || !isHash(newRoot) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) return false;
  if (oldSize === 0) return proof.length === 0 && oldRoot.equals(EMPTY_ROOT);
  if (oldSize === newSize) return proof.length === 0 && oldRoot.equals(newRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}

/**
 * MTH(D[lo:hi]). Works bottom-up in one flat buffer, carrying an odd last node
 * up a level unchanged, which yields the same root as RFC 9162's split at the
 * largest power of two below n without recursion or per-level arrays.
 */
function rangeRoot(leaves: Buffer[], lo: number, hi: number): Buffer {
  let count = hi - lo;
  if (count === 0) return Buffer.from(EMPTY_ROOT);
  if (count === 1) {
    assertHash(leaves[lo], "leaf hash");
    return Buffer.from(leaves[lo]);
  }
  const work = Buffer.allocUnsafe(count * HASH_SIZE);
  for (let i = 0; i < count; i++) {
    const leaf = leaves[lo + i];
    assertHash(leaf, "leaf hash");
    leaf.copy(work, i * HASH_SIZE);
  }
  const input = Buffer.allocUnsafe(1 + 2 * HASH_SIZE);
  input[0] = NODE_PREFIX;
  while (count > 1) {
    const pairs = Math.floor(count / 2);
    for (let i = 0; i < pairs; i++) {
      // The pair is contiguous, and slot i is never ahead of the pair being read.
      work.copy(input, 1, 2 * i * HASH_SIZE, (2 * i + 2) * HASH_SIZE);
      work.write(digestBinary(input), i * HASH_SIZE, HASH_SIZE, "binary");
    }
    if (count % 2 === 1) work.copy(work, pairs * HASH_SIZE, (count - 1) * HASH_SIZE, count * HASH_SIZE);
    count = pairs + (count % 2);
  }
  return Buffer.from(work.subarray(0, HASH_SIZE));
}

/** The largest power of two smaller than n (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

function isHash(value: unknown): value is Buffer {
  return Buffer.isBuffer(value) && value.length === HASH_SIZE;
}

function assertHash(value: unknown, what: string): asserts value is Buffer {
  if (!isHash(value)) throw new Error(`${what} must be a 32-byte Buffer`);
}
