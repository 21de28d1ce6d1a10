/**
 * Verifying a campaign's Audit Report ZIP as downloaded, offline: its proof
 * bundle against the signed checkpoint, its Sync Context JSON against the
 * snapshot the ledger sealed, its evidence manifest and any evidence files it
 * carries against the files the sealed Sync Context lists, by name and hash.
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import path from "node:path";
import yauzl from "yauzl";
import { type BundleVerification, type VerifyBundleOptions, verifyBundle } from "./bundle";

export const REPORT_ZIP_FILES = {
  bundle: "proof-bundle.json",
  syncContext: "sync-context.json",
  manifest: "evidence-manifest.json",
  /** Copies of evidence files, when a report carries them: evidence/<integration>/<file name>. */
  evidenceDir: "evidence/",
} as const;

/** The JSON members are small; anything larger is not a report this verifier should buffer. */
const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** True when the file starts like a ZIP archive (local file header, or the end record of an empty one). */
export async function looksLikeZip(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return (
      bytesRead === 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))
    );
  } finally {
    await handle.close();
  }
}

type ZipContents = {
  json: Map<string, string>;
  evidence: Map<string, { sha256: string; size: number; name: string }>;
};

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) =>
      err || !zip ? reject(err ?? new Error("cannot open")) : resolve(zip),
    ),
  );
}

async function readZip(file: string): Promise<ZipContents> {
  const zip = await openZip(file);
  const out: ZipContents = { json: new Map(), evidence: new Map() };
  const wanted = new Set<string>([REPORT_ZIP_FILES.bundle, REPORT_ZIP_FILES.syncContext, REPORT_ZIP_FILES.manifest]);
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("error", reject);
      zip.on("end", () => resolve());
      zip.on("entry", (entry: yauzl.Entry) => {
        const name = entry.fileName;
        const isEvidence = name.startsWith(REPORT_ZIP_FILES.evidenceDir) && !name.endsWith("/");
        if (!wanted.has(name) && !isEvidence) {
          zip.readEntry();
          return;
        }
        if (!isEvidence && entry.uncompressedSize > MAX_JSON_BYTES) {
          reject(new Error(`${name} is ${entry.uncompressedSize} bytes, too large for a report member`));
          return;
        }
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) {
            reject(err ?? new Error(`cannot read ${name}`));
            return;
          }
          const hash = createHash("sha256");
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on("data", (c: Buffer) => {
            size += c.length;
            if (isEvidence) hash.update(c);
            else chunks.push(c);
          });
          stream.on("error", reject);
          stream.on("end", () => {
            if (isEvidence) out.evidence.set(name, { sha256: hash.digest("hex"), size, name: path.posix.basename(name) });
            else out.json.set(name, Buffer.concat(chunks).toString("utf8"));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return out;
}

type ManifestFile = { name?: unknown; sha256?: unknown; size?: unknown };

/**
 * Verifies a report ZIP. Problems are reported like a bundle's: a missing
 * member, a Sync Context that is not the sealed one, a manifest or evidence
 * file whose name and hash are not a pair the sealed Sync Context lists.
 */
export async function verifyReportZip(
  file: string,
  opts: Pick<VerifyBundleOptions, "trustedKeys" | "trust"> = {},
): Promise<BundleVerification & { evidenceFiles: string[] }> {
  let contents: ZipContents;
  try {
    contents = await readZip(file);
  } catch (e) {
    const reason = `${path.basename(file)} is not a readable ZIP archive (${e instanceof Error ? e.message : String(e)})`;
    return { ok: false, checked: 0, problems: [{ reason }], keySource: opts.trustedKeys ? "trusted" : "bundle", evidenceFiles: [] };
  }
  const bundleText = contents.json.get(REPORT_ZIP_FILES.bundle);
  if (bundleText === undefined) {
    const reason = `the archive has no ${REPORT_ZIP_FILES.bundle}: it is not a SyncLedger campaign report`;
    return { ok: false, checked: 0, problems: [{ reason }], keySource: opts.trustedKeys ? "trusted" : "bundle", evidenceFiles: [] };
  }
  let bundle: unknown;
  try {
    bundle = JSON.parse(bundleText);
  } catch (e) {
    const reason = `${REPORT_ZIP_FILES.bundle} is not JSON (${(e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ")})`;
    return { ok: false, checked: 0, problems: [{ reason }], keySource: opts.trustedKeys ? "trusted" : "bundle", evidenceFiles: [] };
  }
  const snapshotText = contents.json.get(REPORT_ZIP_FILES.syncContext);
  const result = verifyBundle(bundle, {
    trustedKeys: opts.trustedKeys,
    trust: opts.trust,
    files: contents.evidence,
    campaignSnapshot: snapshotText === undefined ? undefined : { label: REPORT_ZIP_FILES.syncContext, text: snapshotText },
  });
  const problems = [...result.problems];
  if (snapshotText === undefined) problems.push({ reason: `the archive has no ${REPORT_ZIP_FILES.syncContext}` });

  const manifestText = contents.json.get(REPORT_ZIP_FILES.manifest);
  if (manifestText !== undefined && result.checked > 0) {
    const listed = ((bundle as { files?: { name: string; sha256: string; size: number }[] }).files ?? []).map(
      (f) => `${f.name}\u0000${f.sha256}\u0000${f.size}`,
    );
    try {
      const manifest = JSON.parse(manifestText) as { integrations?: { integrationName?: unknown; files?: ManifestFile[] }[] };
      for (const i of manifest.integrations ?? []) {
        for (const f of i.files ?? []) {
          if (!listed.includes(`${String(f.name)}\u0000${String(f.sha256)}\u0000${String(f.size)}`)) {
            problems.push({
              reason: `${REPORT_ZIP_FILES.manifest}: file "${String(f.name)}" of ${String(i.integrationName)} (sha256 ${String(f.sha256)}, ${String(f.size)} bytes) is not one the sealed Sync Context lists`,
            });
          }
        }
      }
    } catch (e) {
      problems.push({ reason: `${REPORT_ZIP_FILES.manifest} is not JSON (${e instanceof Error ? e.message : String(e)})` });
    }
  }
  return { ...result, ok: problems.length === 0, problems, evidenceFiles: [...contents.evidence.keys()] };
}
