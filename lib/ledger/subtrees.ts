/**
 * Stored subtree hashes (ledger_subtrees): the roots of every complete,
 * aligned subtree of a tenant's Merkle tree, written as checkpoints are
 * sealed. With them an inclusion or consistency proof needs O(log n) reads,
 * which keeps the per-evidence badge and bundle fast in a ledger of millions.
 *
 * The table is a cache with no authority: callers check every proof built from
 * it against a signed root, so a wrong row makes a proof fail, never pass.
 */
import "server-only";
import type { Executor } from "@/db/client";
import * as ledgerQueries from "@/db/queries/ledger";
import { consistencyPath, inclusionPath, largestPowerOfTwoBelow, leafHash, nodeHash, type RangeRoot } from "./merkle";

/** Stores the subtree hashes of the first `upTo` leaves that are not stored yet. */
export async function storeSubtrees(db: Executor, tenantId: string, upTo: number): Promise<number> {
  return db.transaction(async (tx) => {
    const covered = await ledgerQueries.subtreeCoverage(tx, tenantId);
    if (Math.floor(upTo / 2) * 2 <= covered) return 0;
    const leaves = await ledgerQueries.entryHashesAfter(tx, tenantId, covered, upTo, upTo - covered);
    if (leaves.length !== upTo - covered) return 0; // the chain is shorter than asked: store nothing rather than a guess
    let start = covered;
    let level: Buffer[] = leaves.map((r) => leafHash(r.hash));
    const rows: { level: number; idx: number; hash: string }[] = [];
    for (let L = 1; ; L++) {
      if (start % 2 === 1) {
        // The left sibling of the first new node was stored (or is a leaf) already.
        const { inner, leaves: old } = await ledgerQueries.subtreeNodes(tx, tenantId, [{ level: L - 1, idx: start - 1 }]);
        const hex = L - 1 === 0 ? old[0] && leafHash(old[0].hash).toString("hex") : inner[0]?.hash;
        if (!hex) throw new Error(`storeSubtrees: node (${L - 1}, ${start - 1}) is missing`);
        level = [Buffer.from(hex, "hex"), ...level];
        start -= 1;
      }
      const next: Buffer[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
      if (next.length === 0) break;
      start /= 2;
      for (const [i, h] of next.entries()) rows.push({ level: L, idx: start + i, hash: h.toString("hex") });
      level = next;
    }
    await ledgerQueries.insertSubtrees(tx, tenantId, rows);
    return rows.length;
  });
}

type NodeRef = { level: number; idx: number };

/**
 * Runs a proof algorithm twice: once to learn which complete subtrees it
 * needs (their shape depends only on the sizes), then with their hashes read
 * in one round trip.
 */
async function withNodes<T>(
  db: Executor,
  tenantId: string,
  size: number,
  algorithm: (node: (lo: number, hi: number) => Buffer) => T,
): Promise<T> {
  const wanted = new Map<string, NodeRef>();
  const zero = Buffer.alloc(32);
  algorithm((lo, hi) => {
    const level = Math.log2(hi - lo);
    wanted.set(`${level}:${lo / (hi - lo)}`, { level, idx: lo / (hi - lo) });
    return zero;
  });
  const read = async () => {
    const { inner, leaves } = await ledgerQueries.subtreeNodes(db, tenantId, [...wanted.values()]);
    const found = new Map<string, Buffer>();
    for (const n of inner) found.set(`${n.level}:${n.idx}`, Buffer.from(n.hash, "hex"));
    for (const l of leaves) found.set(`0:${l.seq - 1}`, leafHash(l.hash));
    return found;
  };
  let found = await read();
  if (found.size < wanted.size) {
    // Subtrees past the last stored checkpoint (one signed just now): store them, then read again.
    await storeSubtrees(db, tenantId, size);
    found = await read();
  }
  return algorithm((lo, hi) => {
    const key = `${Math.log2(hi - lo)}:${lo / (hi - lo)}`;
    const hash = found.get(key);
    if (!hash) throw new Error(`the subtree of leaves ${lo}–${hi - 1} is not stored`);
    return hash;
  });
}

/** MTH(D[lo:hi]) from complete aligned subtrees, splitting as RFC 9162 does. */
function rangeRoot(lo: number, hi: number, node: (lo: number, hi: number) => Buffer): Buffer {
  const n = hi - lo;
  if ((n & (n - 1)) === 0 && lo % n === 0) return node(lo, hi);
  const k = largestPowerOfTwoBelow(n);
  return nodeHash(rangeRoot(lo, lo + k, node), rangeRoot(lo + k, hi, node));
}

/** PATH(index, D[size]) of RFC 9162 §2.1.3.1 from stored subtrees. */
export async function storedInclusionProof(db: Executor, tenantId: string, index: number, size: number): Promise<Buffer[]> {
  return (await storedInclusionProofs(db, tenantId, [index], size))[0];
}

/** Inclusion proofs of several leaves in one tree, read in one round trip. */
export async function storedInclusionProofs(db: Executor, tenantId: string, indices: number[], size: number): Promise<Buffer[][]> {
  checkIndices(indices, size);
  return withNodes(db, tenantId, size, (node) => indices.map((index) => inclusionPath(index, size, (lo, hi) => rangeRoot(lo, hi, node))));
}

function checkIndices(indices: number[], size: number) {
  for (const index of indices) {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size)
      throw new Error(`inclusion proof: index ${index} is outside a tree of size ${size}`);
  }
}

/** PROOF(oldSize, D[size]) of RFC 9162 §2.1.4.1 and the old root, from stored subtrees. */
export async function storedConsistencyProof(
  db: Executor,
  tenantId: string,
  oldSize: number,
  size: number,
): Promise<{ proof: Buffer[]; oldRoot: Buffer; root: Buffer }> {
  checkOldSize(oldSize, size);
  return withNodes(db, tenantId, size, (node) => consistencyWithRoots(oldSize, size, node));
}

/**
 * The inclusion proofs of several leaves and, from `oldSize`, the consistency
 * proof, in one tree and one read of the subtree hashes: what a proof bundle carries.
 */
export async function storedProofs(
  db: Executor,
  tenantId: string,
  size: number,
  indices: number[],
  oldSize: number | null,
): Promise<{ inclusion: Buffer[][]; consistency: { proof: Buffer[]; oldRoot: Buffer; root: Buffer } | null }> {
  checkIndices(indices, size);
  if (oldSize !== null) checkOldSize(oldSize, size);
  return withNodes(db, tenantId, size, (node) => ({
    inclusion: indices.map((index) => inclusionPath(index, size, (lo, hi) => rangeRoot(lo, hi, node))),
    consistency: oldSize === null ? null : consistencyWithRoots(oldSize, size, node),
  }));
}

function checkOldSize(oldSize: number, size: number) {
  if (!Number.isSafeInteger(oldSize) || oldSize < 1 || oldSize > size)
    throw new Error(`consistency proof: old size ${oldSize} is outside 1..${size}`);
}

function consistencyWithRoots(oldSize: number, size: number, node: (lo: number, hi: number) => Buffer) {
  const root: RangeRoot = (lo, hi) => rangeRoot(lo, hi, node);
  return { proof: consistencyPath(oldSize, size, root), oldRoot: root(0, oldSize), root: root(0, size) };
}
