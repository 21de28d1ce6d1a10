/**
 * npm run ledger:verify-bundle -- BUNDLE.json|REPORT.zip [--trust FILE] [--key PUBLIC_KEY.pem ...] [--file PATH ...]
 * Verifies a downloaded proof bundle offline: no database, no network. Given a
 * campaign's Audit Report ZIP as downloaded (recognised by its content), it
 * verifies the proof bundle inside, that the Sync Context JSON inside is the one
 * the ledger sealed, and that the evidence manifest and any evidence files inside
 * are, by name and hash, the files that Sync Context lists. With --key
 * the checkpoint must be signed by one of those keys; without it the bundle's own
 * key is used, which proves the bundle is self-consistent but not who signed it.
 * With --trust (a trust file from npm run ledger:trust) the checkpoint must be
 * signed by the pinned log key or one it rotated to, carry the quorum of the
 * pinned witnesses' cosignatures, and extend the previous witnessed checkpoint.
 * Each --file must be one of the files the bundle's records list, by its file
 * name and its hash: a renamed copy fails.
 * Exit code: 0 verified, 1 a problem was found, 2 usage error.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { parseTrustFile, type TrustFile } from "@/lib/ledger/trust";
import { type BundleVerification, verifyBundle } from "@/lib/ledger/bundle";
import { looksLikeZip, verifyReportZip } from "@/lib/ledger/report-zip";
import { keyIdOf } from "@/lib/ledger/signing";

const USAGE = "usage: npm run ledger:verify-bundle -- BUNDLE.json|REPORT.zip [--trust FILE] [--key PUBLIC_KEY.pem ...] [--file PATH ...]";

function usageError(message: string): never {
  console.error(`error: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

async function sha256OfFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      key: { type: "string", multiple: true, default: [] },
      trust: { type: "string" },
      file: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}
let args: ReturnType<typeof parse>;
try {
  args = parse();
} catch (e) {
  usageError(e instanceof Error ? e.message : String(e));
}
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.positionals.length !== 1) usageError("give exactly one bundle file");
const bundlePath = args.positionals[0];

let isZip: boolean;
try {
  isZip = await looksLikeZip(bundlePath);
} catch (e) {
  usageError(`cannot read ${bundlePath}: ${e instanceof Error ? e.message : String(e)}`);
}

const trustedKeys: { keyId: string; publicKeyPem: string }[] = [];
for (const path of args.values.key) {
  let pem: string;
  try {
    pem = await readFile(path, "utf8");
  } catch (e) {
    usageError(`cannot read key ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    trustedKeys.push({ keyId: keyIdOf(pem), publicKeyPem: pem });
  } catch (e) {
    usageError(`${path} is not an Ed25519 public key in PEM form (${e instanceof Error ? e.message : String(e)})`);
  }
}

let trust: TrustFile | undefined;
if (args.values.trust) {
  try {
    trust = parseTrustFile(await readFile(args.values.trust, "utf8"));
  } catch (e) {
    usageError(`cannot use the trust file ${args.values.trust}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const files = new Map<string, { sha256: string; size: number; name: string }>();
for (const path of args.values.file) {
  try {
    files.set(path, { ...(await sha256OfFile(path)), name: basename(path) });
  } catch (e) {
    usageError(`cannot read file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

let result: BundleVerification;
let zipEvidence: string[] = [];
if (isZip) {
  if (files.size > 0) usageError("--file checks files against a bundle; a report ZIP is checked against the files inside it");
  const zip = await verifyReportZip(bundlePath, { trustedKeys: trustedKeys.length > 0 ? trustedKeys : undefined, trust });
  result = zip;
  zipEvidence = zip.evidenceFiles;
} else {
  let bundle: unknown;
  try {
    bundle = JSON.parse(await readFile(bundlePath, "utf8"));
  } catch (e) {
    console.log(`FAILED: ${bundlePath} is not JSON (${(e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ")})`);
    process.exit(1);
  }
  result = verifyBundle(bundle, { trustedKeys: trustedKeys.length > 0 ? trustedKeys : undefined, files, trust });
}

if (!result.ok) {
  for (const p of result.problems) console.log(`  ${p.reason}`);
  const n = result.problems.length;
  console.log(`FAILED: ${n} problem${n === 1 ? "" : "s"} in ${bundlePath}`);
  process.exit(1);
}

const cp = result.checkpoint!;
const source = result.keySource === "trusted" ? "trusted" : "key from bundle";
console.log(
  `OK: ${result.checked} ${result.checked === 1 ? "entry" : "entries"} verified against checkpoint of tree size ${cp.treeSize} signed by key ${cp.keyId} (${source})`,
);
for (const [path, f] of files) console.log(`  file ${path}: "${f.name}" with sha256 ${f.sha256} is listed in the bundle`);
if (trust) console.log(`  trust file: signed by the pinned log key, cosigned by ${trust.quorum} or more pinned witness(es)`);
if (isZip) {
  console.log("  sync-context.json is the Sync Context the campaign's ledger entry sealed");
  for (const name of zipEvidence) console.log(`  ${name}: name and sha256 are listed in the sealed Sync Context`);
}
if (result.keySource === "bundle") {
  console.log("  note: the signing key came from the bundle itself; pass --key with a key you trust to rule out a re-signed bundle");
}
