/**
 * Witness cosignatures in the C2SP tlog-cosignature format (cosignature/v1,
 * c2sp.org/tlog-cosignature): an Ed25519 note signature over
 * `cosignature/v1\ntime <unix seconds>\n` followed by the checkpoint's note
 * body, carried as `— <witness name> base64(key id || u64 BE timestamp || sig)`.
 * The signature algorithm byte is 0x04, so a witness key can never be mistaken
 * for a log key (0x01) even under the same name.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { publicKeyFromPem, publicKeyFromSpki, rawEd25519 } from "@/lib/crypto/public-keys";
import { NoteError, parseCheckpointText } from "./note";

/** Signature type byte of Ed25519 cosignatures (cosignature/v1). */
const ALG_COSIGNATURE_V1 = 0x04;
const SIG_PREFIX = "\u2014 ";
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
/** key id (4) || timestamp (8) || Ed25519 signature (64). */
const COSIGNATURE_BYTES = 76;
const MAX_TIMESTAMP = 2n ** 63n - 1n;

export type WitnessKeyPair = { privateKey: KeyObject; privateKeyPem: string; publicKey: Buffer };
export type WitnessVerifier = { name: string; keyId: Buffer; publicKey: Buffer; key: KeyObject };

/** A fresh Ed25519 key for a witness; publicKey is the raw 32 bytes. */
export function witnessKeyPair(): WitnessKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { privateKey, privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(), publicKey: rawPublicKey(publicKey) };
}

/** SHA-256(name || "\n" || 0x04 || public key)[:4]. */
export function cosignatureKeyId(name: string, publicKey: Buffer): Buffer {
  return createHash("sha256")
    .update(`${name}\n`, "utf8")
    .update(Buffer.from([ALG_COSIGNATURE_V1]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** `<name>+<hex key id>+<base64(0x04 || public key)>`. */
export function witnessVerifierKey(name: string, publicKey: Buffer | KeyObject | string): string {
  if (!isKeyName(name)) throw new NoteError('a witness name is non-empty and has no spaces or "+"');
  const raw = toRawPublicKey(publicKey);
  return `${name}+${cosignatureKeyId(name, raw).toString("hex")}+${Buffer.concat([Buffer.from([ALG_COSIGNATURE_V1]), raw]).toString("base64")}`;
}

/** Reads a witness verifier key; throws a NoteError that says what is wrong. */
export function parseVerifierKey(vkey: string): WitnessVerifier {
  const first = typeof vkey === "string" ? vkey.indexOf("+") : -1;
  const second = first < 0 ? -1 : vkey.indexOf("+", first + 1);
  if (second < 0) throw new NoteError("a witness verifier key is <name>+<key id>+<key>");
  const [name, idHex, keyB64] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
  if (!isKeyName(name)) throw new NoteError("the witness verifier key's name is empty or has spaces");
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new NoteError("the witness verifier key's id is not 8 lowercase hex characters");
  const key = Buffer.from(keyB64, "base64");
  if (key.length !== 33 || key.toString("base64") !== keyB64) throw new NoteError("the witness verifier key is not 33 bytes of base64");
  if (key[0] !== ALG_COSIGNATURE_V1) {
    throw new NoteError(
      key[0] === 0x01
        ? "this is a log's note key (type 0x01), not a witness cosignature key (type 0x04)"
        : `the witness verifier key has type 0x${key[0].toString(16).padStart(2, "0")}, not 0x04 (Ed25519 cosignature/v1)`,
    );
  }
  const publicKey = Buffer.from(key.subarray(1));
  const keyId = cosignatureKeyId(name, publicKey);
  if (keyId.toString("hex") !== idHex) throw new NoteError("the witness verifier key's id does not match its name and key");
  return {
    name,
    keyId,
    publicKey,
    key: publicKeyFromSpki(Buffer.concat([ED25519_SPKI_PREFIX, publicKey])),
  };
}

/** The bytes a cosignature signs. */
export function cosignedMessage(body: string, timestamp: number | bigint): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${BigInt(timestamp).toString(10)}\n${body}`, "utf8");
}

/**
 * Cosigns a checkpoint note body (the note text before the blank line, ending
 * in a newline) at `time` (unix seconds); returns the signature line with its newline.
 */
export function cosign(body: string, name: string, privateKey: KeyObject | string, time: number): string {
  parseCheckpointText(body);
  if (!isKeyName(name)) throw new NoteError('a witness name is non-empty and has no spaces or "+"');
  if (!Number.isSafeInteger(time) || time < 0) throw new NoteError("the cosignature time is a non-negative whole number of seconds");
  const key = typeof privateKey === "string" ? createPrivateKey(privateKey) : privateKey;
  if (key.asymmetricKeyType !== "ed25519") throw new NoteError("a witness signs with an Ed25519 key");
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64BE(BigInt(time));
  const signature = sign(null, cosignedMessage(body, time), key);
  const id = cosignatureKeyId(name, rawPublicKey(createPublicKey(key)));
  return `${SIG_PREFIX}${name} ${Buffer.concat([id, stamp, signature]).toString("base64")}\n`;
}

/** The timestamp a cosignature line claims, without checking it; null when the line is not shaped like one. */
export function cosignatureTimestamp(line: string): { name: string; keyId: Buffer; timestamp: number } | null {
  const parsed = splitLine(line);
  if (!parsed || parsed.sig.length !== COSIGNATURE_BYTES) return null;
  const ts = parsed.sig.readBigUInt64BE(4);
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return { name: parsed.name, keyId: parsed.sig.subarray(0, 4), timestamp: Number(ts) };
}

/**
 * Checks one cosignature line (with or without its newline) against a witness
 * verifier key and the note body it claims to cosign. Null when the line is for
 * another key or does not verify.
 */
export function verifyCosignature(
  verifierKey: string | WitnessVerifier,
  body: string,
  line: string,
): { name: string; timestamp: number } | null {
  const v = typeof verifierKey === "string" ? parseVerifierKey(verifierKey) : verifierKey;
  const parsed = splitLine(line);
  if (!parsed || parsed.name !== v.name || parsed.sig.length !== COSIGNATURE_BYTES) return null;
  if (!parsed.sig.subarray(0, 4).equals(v.keyId)) return null;
  const ts = parsed.sig.readBigUInt64BE(4);
  if (ts > MAX_TIMESTAMP || ts > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  if (!verify(null, cosignedMessage(body, ts), v.key, parsed.sig.subarray(12))) return null;
  return { name: v.name, timestamp: Number(ts) };
}

/** Splits a signed note into its body (ending in a newline) and its signature lines (without newlines). */
export function splitNote(note: string): { body: string; lines: string[] } {
  const split = typeof note === "string" ? note.lastIndexOf("\n\n") : -1;
  if (split < 0 || !note.endsWith("\n")) throw new NoteError("the note has no signature block");
  return { body: note.slice(0, split + 1), lines: note.slice(split + 2, -1).split("\n") };
}

/**
 * The cosignatures in a signed note that verify against the given witness
 * keys, at most one per key (the newest). Lines by other keys are ignored, as
 * the signed-note format asks.
 */
export function noteCosignatures(
  note: string,
  verifierKeys: string[],
): { verifierKey: string; name: string; timestamp: number; line: string }[] {
  const { body, lines } = splitNote(note);
  const found = new Map<string, { verifierKey: string; name: string; timestamp: number; line: string }>();
  for (const vkey of verifierKeys) {
    const v = parseVerifierKey(vkey);
    for (const line of lines) {
      const ok = verifyCosignature(v, body, line);
      if (ok && (found.get(vkey)?.timestamp ?? -1) < ok.timestamp) found.set(vkey, { verifierKey: vkey, ...ok, line: `${line}\n` });
    }
  }
  return [...found.values()];
}

function splitLine(line: string): { name: string; sig: Buffer } | null {
  if (typeof line !== "string") return null;
  const text = line.endsWith("\n") ? line.slice(0, -1) : line;
  if (!text.startsWith(SIG_PREFIX) || text.includes("\n")) return null;
  const parts = text.slice(SIG_PREFIX.length).split(" ");
  if (parts.length !== 2 || !isKeyName(parts[0])) return null;
  const sig = Buffer.from(parts[1], "base64");
  if (sig.toString("base64") !== parts[1]) return null;
  return { name: parts[0], sig };
}

function isKeyName(name: string): boolean {
  return typeof name === "string" && name !== "" && !name.includes("+") && !/\s/u.test(name);
}

function toRawPublicKey(key: Buffer | KeyObject | string): Buffer {
  if (Buffer.isBuffer(key)) {
    if (key.length !== 32) throw new NoteError("an Ed25519 public key is 32 bytes");
    return key;
  }
  return rawPublicKey(typeof key === "string" ? publicKeyFromPem(key) : key.type === "private" ? createPublicKey(key) : key);
}

function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== "ed25519") throw new NoteError("expected an Ed25519 key");
  return rawEd25519(key);
}
