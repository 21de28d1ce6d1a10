/**
 * The trust file an auditor keeps from onboarding: the log's note verifier key,
 * the witnesses' verifier keys and URLs, and how many cosignatures to require.
 * Verifiers given one trust nothing the operator holds: not the keys in the
 * database, not the checkpoints in the object store.
 *
 *   # SyncLedger trust file for <origin>
 *   log <log verifier key>
 *   witness <url> <witness verifier key>
 *   quorum <N>
 */
import { parseVerifierKey as parseWitnessKey } from "./cosignature";
import { parseVerifierKey } from "./note";

export type TrustedWitness = { url: string; key: string; name: string };
export type TrustFile = {
  /** The log's origin: the name of its verifier key. */
  origin: string;
  /** The pinned log verifier key, `<origin>+<hash>+<base64(0x01 || key)>`. */
  log: string;
  /** The same key as an SPKI PEM, the form ledger_keys and JSON checkpoints use. */
  logPublicKeyPem: string;
  witnesses: TrustedWitness[];
  quorum: number;
};

export class TrustFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TrustFileError";
  }
}

export function parseTrustFile(text: string): TrustFile {
  if (typeof text !== "string") throw new TrustFileError("the trust file is not text");
  let log: string | null = null;
  let quorum: number | null = null;
  const witnesses: TrustedWitness[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const at = `line ${i + 1}`;
    const [word, ...rest] = line.split(/\s+/);
    if (word === "log") {
      if (rest.length !== 1) throw new TrustFileError(`${at}: "log" takes one verifier key`);
      if (log) throw new TrustFileError(`${at}: the trust file names more than one log key`);
      try {
        parseVerifierKey(rest[0]);
      } catch (e) {
        throw new TrustFileError(`${at}: the log key is not a note verifier key (${(e as Error).message})`);
      }
      log = rest[0];
    } else if (word === "witness") {
      if (rest.length !== 2) throw new TrustFileError(`${at}: "witness" takes a URL and a verifier key`);
      const [url, key] = rest;
      if (!/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) throw new TrustFileError(`${at}: "${url}" is not an http(s) URL`);
      let name: string;
      try {
        name = parseWitnessKey(key).name;
      } catch (e) {
        throw new TrustFileError(`${at}: ${(e as Error).message}`);
      }
      if (witnesses.some((w) => w.key === key)) throw new TrustFileError(`${at}: witness ${name} is listed twice`);
      witnesses.push({ url: url.replace(/\/+$/, ""), key, name });
    } else if (word === "quorum") {
      if (rest.length !== 1 || !/^(0|[1-9][0-9]*)$/.test(rest[0])) throw new TrustFileError(`${at}: "quorum" takes a whole number`);
      quorum = Number(rest[0]);
    } else {
      throw new TrustFileError(`${at}: unknown line "${word}" (expected log, witness or quorum)`);
    }
  });
  if (!log) throw new TrustFileError('the trust file has no "log" line');
  const q = quorum ?? witnesses.length;
  if (q > witnesses.length) throw new TrustFileError(`quorum ${q} is more than the ${witnesses.length} witnesses listed`);
  const parsed = parseVerifierKey(log);
  const logPublicKeyPem = parsed.key.export({ format: "pem", type: "spki" }).toString();
  return { origin: parsed.name, log, logPublicKeyPem, witnesses, quorum: q };
}

export function formatTrustFile(t: { origin: string; log: string; witnesses: { url: string; key: string }[]; quorum: number }): string {
  return [
    `# SyncLedger trust file for ${t.origin}`,
    `log ${t.log}`,
    ...t.witnesses.map((w) => `witness ${w.url} ${w.key}`),
    `quorum ${t.quorum}`,
    "",
  ].join("\n");
}
