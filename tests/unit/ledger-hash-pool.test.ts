import { afterAll, describe, expect, it } from "vitest";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import { chainEntry, type LedgerEntry } from "@/lib/ledger/entry";
import { HashPool } from "@/lib/ledger/hash-pool";
import { leafHash } from "@/lib/ledger/merkle";

const tenantId = "22222222-2222-4222-8222-222222222222";
const pool = new HashPool(2);
afterAll(() => pool.close());

/** An entry as a line of COPY text output (backslashes escaped, as Postgres writes them). */
function copyLine(e: LedgerEntry) {
  const esc = (v: string) => v.replace(/\\/g, "\\\\");
  return [e.seq, e.kind, esc(e.refId), esc(e.createdAt), e.prevHash, e.hash, esc(canonicalJson(e.record))].join("\t");
}

function chain(n: number) {
  const out: LedgerEntry[] = [];
  let prev: LedgerEntry | null = null;
  for (let i = 0; i < n; i++) {
    prev = chainEntry(prev, {
      tenantId,
      kind: i % 3 === 0 ? "evidence" : "audit",
      refId: `ref-${i}`,
      createdAt: new Date(1_767_000_000_000 + i).toISOString(),
      record: { i, text: `quote " backslash \\ tab \t newline \n ünïcödé 😀 ${i}`, list: [1.5, -0, 1e21, null] },
    });
    out.push(prev);
  }
  return out;
}

describe("ledger hash pool", () => {
  it("recomputes the same entry and leaf hashes as the library, from COPY text", async () => {
    const entries = chain(50);
    const r = await pool.check(tenantId, entries.map(copyLine));
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ count: 50, firstSeq: 1, lastSeq: 50, lastHash: entries[49].hash });
    for (let i = 0; i < 50; i++) expect(r.leaves.subarray(i * 32, i * 32 + 32).equals(leafHash(entries[i].hash))).toBe(true);
  });

  it("reports an edited record, a broken link and a gap by seq", async () => {
    const entries = chain(10);
    const lines = entries.map(copyLine);
    lines[3] = lines[3].replace('"i":3', '"i":33');
    lines.splice(6, 1);
    const swapped = [...lines];
    const r = await pool.check(tenantId, swapped);
    expect(r.problems).toEqual([
      { seq: 4, reason: "entry 4: its contents do not match its hash (edited or moved)" },
      { seq: 7, reason: "entries 7–7 are missing: the chain jumps from 6 to 8" },
    ]);
  });
});
