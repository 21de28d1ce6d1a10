/**
 * Interoperability of the ledger's standard checkpoints: a real tenant ledger is
 * sealed and signed, its C2SP signed note and RFC 9162 proofs are fetched
 * through the API, and Go's own golang.org/x/mod/sumdb/note and sumdb/tlog
 * (tests/interop/checkpoint.go) must accept them, and refuse them once changed.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as checkpointRoute } from "@/app/api/v1/ledger/checkpoint/route";
import { GET as proofRoute } from "@/app/api/v1/ledger/proof/route";
import { getDb } from "@/db/client";
import { recordAuditEvent } from "@/lib/audit/service";
import { getConfig } from "@/lib/config";
import { listCheckpoints, sealTenant, writeCheckpoint } from "@/lib/ledger/chain";
import { currentSigningKey } from "@/lib/ledger/keys";
import { originHost, verifierKey } from "@/lib/ledger/note";
import { generateSigningKey } from "@/lib/ledger/signing";
import { getObjectStore } from "@/lib/storage";
import { makeApiKeyCtx, makeTenant, type TestTenant } from "../helpers/factories";

const GO_INSTALL = "apt-get install -y golang-go golang-golang-x-mod-dev (scripts/test.sh installs them when missing)";
const GOPATH_ENV = { ...process.env, GO111MODULE: "off", GOPATH: "/usr/share/gocode", GOFLAGS: "" };

let dir: string;
let checker: string;
let t: TestTenant;
let secret: string;
let oldSize: number;
let oldRoot: string;

function get(route: typeof proofRoute, url: string, key = secret) {
  return route(new Request(`http://localhost${url}`, { headers: { authorization: `Bearer ${key}` } }), { params: Promise.resolve({}) });
}

async function addEvents(n: number, label: string) {
  for (let i = 0; i < n; i++) {
    await recordAuditEvent(getDb(), t.ctx("admin"), {
      entityType: "Tenant",
      action: "Update",
      entityName: `${label} ${i}`,
      details: "interop",
    });
  }
  await sealTenant(getDb(), t.id);
  return writeCheckpoint(getDb(), t.id);
}

function check(testCase: object, name: string) {
  const file = path.join(dir, `${name}.json`);
  return writeFile(file, JSON.stringify(testCase)).then(() => spawnSync(checker, [file], { encoding: "utf8" }));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "ledger-interop-"));
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  if (go.error || go.status !== 0) throw new Error(`The interop test needs Go and golang.org/x/mod from Debian: ${GO_INSTALL}`);
  checker = path.join(dir, "checkpoint");
  const build = spawnSync("go", ["build", "-o", checker, "checkpoint.go"], {
    cwd: path.resolve("tests/interop"),
    env: { ...GOPATH_ENV, GOCACHE: path.join(os.tmpdir(), "syncledger-gocache") },
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`Building tests/interop/checkpoint.go failed (${GO_INSTALL}):\n${build.stderr}`);

  t = await makeTenant();
  const first = (await addEvents(4, "before"))!;
  oldSize = first.treeSize;
  oldRoot = Buffer.from(first.rootHash, "hex").toString("base64");
  await addEvents(7, "after");
  ({ secret } = await makeApiKeyCtx(t, ["ledger:read"]));
}, 120_000);

describe("standard checkpoints, checked by Go's sumdb/note and sumdb/tlog", () => {
  it("serves the latest checkpoint as a signed note that Go opens, with proofs Go checks; and Go refuses each change", async () => {
    const res = await get(checkpointRoute, "/api/v1/ledger/checkpoint");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const note = await res.text();
    const vkey = res.headers.get("ledger-verifier-key")!;
    const origin = `${originHost(getConfig())}/ledger/${t.slug}`;
    const [latest] = (await listCheckpoints(getDb(), t.id)).sort((a, b) => b.treeSize - a.treeSize);
    expect(latest.treeSize).toBeGreaterThan(oldSize);
    expect(note).toBe(
      `${origin}\n${latest.treeSize}\n${Buffer.from(latest.rootHash, "hex").toString("base64")}\n\n\u2014 ${origin} ${note.split(" ").pop()}`,
    );
    expect(vkey).toBe(verifierKey(origin, currentSigningKey().publicKeyPem));
    // Stored beside the JSON copy of the same checkpoint.
    const stored = await getObjectStore().get(latest.objectKey.replace(/\.json$/, ".note"));
    const chunks: Buffer[] = [];
    for await (const c of stored) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).toString("utf8")).toBe(note);

    const json = await (await get(checkpointRoute, "/api/v1/ledger/checkpoint?format=json")).json();
    expect(json.data).toMatchObject({ origin, treeSize: latest.treeSize, note, verifierKey: vkey });

    const inclusion = (await (await get(proofRoute, "/api/v1/ledger/proof?seq=3")).json()).data;
    expect(inclusion).toMatchObject({ type: "inclusion", treeSize: latest.treeSize, seq: 3, index: 2 });
    const consistency = (await (await get(proofRoute, `/api/v1/ledger/proof?from=${oldSize}`)).json()).data;
    expect(consistency).toMatchObject({ type: "consistency", treeSize: latest.treeSize, oldSize, oldRootHash: oldRoot });

    const good = {
      verifierKey: vkey,
      origin,
      note,
      entryHash: inclusion.entryHash,
      index: inclusion.index,
      inclusionProof: inclusion.proof,
      oldSize,
      oldRoot,
      consistencyProof: consistency.proof,
    };
    const ok = await check(good, "good");
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`OK: ${origin}, tree size ${latest.treeSize}`);

    // A flipped byte of the root hash in the note.
    const root = Buffer.from(latest.rootHash, "hex");
    root[0] ^= 1;
    const flipped = note.replace(`\n${Buffer.from(latest.rootHash, "hex").toString("base64")}\n`, `\n${root.toString("base64")}\n`);
    expect(flipped).not.toBe(note);
    const badRoot = await check({ ...good, note: flipped }, "flipped-root");
    expect(badRoot.status).toBe(1);
    expect(badRoot.stderr).toMatch(/FAIL: note signature/);

    // Another key under the same name.
    const other = verifierKey(origin, generateSigningKey().publicKeyPem);
    const wrongKey = await check({ ...good, verifierKey: other }, "wrong-key");
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stderr).toMatch(/FAIL: note signature/);

    // Proofs that do not fit: another entry's hash, an old root that was never signed.
    const wrongEntry = await check({ ...good, index: 3 }, "wrong-index");
    expect(wrongEntry.status).toBe(1);
    expect(wrongEntry.stderr).toMatch(/FAIL: inclusion proof of index 3/);
    const oldFlipped = Buffer.from(oldRoot, "base64");
    oldFlipped[31] ^= 0x80;
    const forkedOld = await check({ ...good, oldRoot: oldFlipped.toString("base64") }, "forked-old-root");
    expect(forkedOld.status).toBe(1);
    expect(forkedOld.stderr).toMatch(new RegExp(`FAIL: consistency proof from size ${oldSize}`));
  }, 60_000);

  it("answers only keys with ledger:read, and says when a proof asks beyond the latest checkpoint", async () => {
    const other = await makeApiKeyCtx(t, ["audit_log:read"]);
    expect((await get(checkpointRoute, "/api/v1/ledger/checkpoint", other.secret)).status).toBe(403);
    expect((await get(proofRoute, "/api/v1/ledger/proof?seq=1", other.secret)).status).toBe(403);
    const beyond = await get(proofRoute, "/api/v1/ledger/proof?seq=100000");
    expect(beyond.status).toBe(404);
    expect((await beyond.json()).error.message).toMatch(/latest checkpoint covers \d+ entries/);
    const both = await get(proofRoute, "/api/v1/ledger/proof?seq=1&from=1");
    expect(both.status).toBe(422);
  });

  it("signs the note again for a checkpoint stored without one, and documents both endpoints", async () => {
    const before = await (await get(checkpointRoute, "/api/v1/ledger/checkpoint")).text();
    const [latest] = (await listCheckpoints(getDb(), t.id)).sort((a, b) => b.treeSize - a.treeSize);
    await getObjectStore().delete(latest.objectKey.replace(/\.json$/, ".note"));
    const again = await get(checkpointRoute, "/api/v1/ledger/checkpoint");
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(before);
    const { GET } = await import("@/app/api/v1/openapi.json/route");
    const doc = await (await GET()).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/ledger/checkpoint", "/ledger/proof"]));
  });
});
