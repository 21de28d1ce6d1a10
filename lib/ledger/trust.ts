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
import { createHash, createPublicKey, verify } from "node:crypto";
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

const ALG_COSIGNATURE = 0x04;

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

/** A witness verifier key: `<name>+<hex8 key hash>+<base64(0x04 || 32-byte Ed25519 key)>` (C2SP tlog-cosignature). */
export function parseWitnessKey(vkey: string): { name: string; hash: Buffer; raw: Buffer } {
  const first = vkey.indexOf("+");
  const second = first < 0 ? -1 : vkey.indexOf("+", first + 1);
  if (second < 0) throw new TrustFileError("a witness key is <name>+<key hash>+<key>");
  const [name, hashHex, b64] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
  const key = Buffer.from(b64, "base64");
  if (!name || /\s/.test(name)) throw new TrustFileError("the witness key's name is empty or has spaces");
  if (key.length !== 33 || key[0] !== ALG_COSIGNATURE || key.toString("base64") !== b64) {
    throw new TrustFileError(`witness key ${name} is not a cosignature/v1 key (0x04 followed by 32 bytes, in base64)`);
  }
  const raw = key.subarray(1);
  const hash = createHash("sha256")
    .update(`${name}\n`)
    .update(Buffer.from([ALG_COSIGNATURE]))
    .update(raw)
    .digest()
    .subarray(0, 4);
  if (hash.toString("hex") !== hashHex) throw new TrustFileError(`witness key ${name}: its hash does not match its name and key`);
  return { name, hash, raw };
}

/**
 * Checks one cosignature line (`— <name> <base64(keyhash || time || sig)>`)
 * over a checkpoint body with a pinned witness key; null when it is not that
 * witness's valid cosignature.
 */
export function checkCosignature(witnessKey: string, body: string, line: string): { name: string; timestamp: number } | null {
  try {
    const { name, hash, raw } = parseWitnessKey(witnessKey);
    const m = /^\u2014 (\S+) (\S+)\n?$/.exec(line);
    if (!m || m[1] !== name) return null;
    const sig = Buffer.from(m[2], "base64");
    if (sig.length !== 76 || !sig.subarray(0, 4).equals(hash)) return null;
    const timestamp = Number(sig.readBigUInt64BE(4));
    const message = Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`, "utf8");
    const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]);
    const key = createPublicKey({ key: spki, format: "der", type: "spki" });
    return verify(null, message, key, sig.subarray(12)) ? { name, timestamp } : null;
  } catch {
    return null;
  }
}

/** The signature lines of a signed note, and its body. */
export function splitNote(note: string): { body: string; lines: string[] } | null {
  const split = note.lastIndexOf("\n\n");
  if (split < 0) return null;
  return {
    body: note.slice(0, split + 1),
    lines: note
      .slice(split + 2)
      .split("\n")
      .filter(Boolean),
  };
}

/** LEDGER_WITNESSES_FILE's text: one `URL VERIFIER_KEY` a line, # comments. */
export function parseWitnessesFile(text: string): { url: string; key: string; name: string }[] {
  const out: TrustedWitness[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) return;
    const parts = line.split(/\s+/);
    if (parts.length !== 2) throw new TrustFileError(`witnesses file line ${i + 1}: expected "URL VERIFIER_KEY"`);
    out.push({ url: parts[0].replace(/\/+$/, ""), key: parts[1], name: parseWitnessKey(parts[1]).name });
  });
  return out;
}
