/**
 * Checkpoints in the standard form other transparency-log tools read: a C2SP
 * tlog-checkpoint body (c2sp.org/tlog-checkpoint) signed as a C2SP signed note
 * (c2sp.org/signed-note) with the same Ed25519 key that signs the JSON
 * checkpoints. The key name is the log's origin, so a verifier key string
 * (`<origin>+<key hash>+<public key>`) pins both the log and the key.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { publicKeyFromPem, publicKeyFromSpki, rawEd25519 } from "@/lib/crypto/public-keys";

/** Signature algorithm byte of Ed25519 in signed notes. */
const ALG_ED25519 = 0x01;
const SIG_PREFIX = "\u2014 ";
export const DEFAULT_ORIGIN_HOST = "syncledger.local";

export type Checkpoint = { origin: string; treeSize: number; rootHash: Buffer };

export class NoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoteError";
  }
}

/** The host part of every tenant's origin: LEDGER_ORIGIN_HOST, else NEXTAUTH_URL's host name, else the default. */
export function originHost(config: { LEDGER_ORIGIN_HOST?: string; NEXTAUTH_URL?: string }): string {
  if (config.LEDGER_ORIGIN_HOST) return config.LEDGER_ORIGIN_HOST.toLowerCase();
  if (config.NEXTAUTH_URL) return new URL(config.NEXTAUTH_URL).hostname.toLowerCase();
  return DEFAULT_ORIGIN_HOST;
}

/** `<host>/ledger/<tenant slug>`: names one tenant's log, and the key that signs it. */
export function ledgerOrigin(host: string, tenantSlug: string): string {
  const origin = `${host}/ledger/${tenantSlug}`;
  if (!isKeyName(origin)) throw new NoteError(`"${origin}" cannot name a log: no spaces or "+" allowed`);
  return origin;
}

/** The checkpoint body: origin, decimal tree size and base64 root hash, one per line. */
export function checkpointText(cp: Checkpoint): string {
  if (!isKeyName(cp.origin)) throw new NoteError('the origin must be a non-empty name without spaces or "+"');
  if (!Number.isSafeInteger(cp.treeSize) || cp.treeSize < 0) throw new NoteError("the tree size must be a non-negative integer");
  if (cp.rootHash.length !== 32) throw new NoteError("the root hash must be 32 bytes");
  return `${cp.origin}\n${cp.treeSize}\n${cp.rootHash.toString("base64")}\n`;
}

/** Reads a checkpoint body; extension lines after the root hash are allowed and ignored. */
export function parseCheckpointText(text: string): Checkpoint {
  const lines = text.split("\n");
  if (lines.length < 4 || lines[lines.length - 1] !== "")
    throw new NoteError("a checkpoint has an origin, a tree size and a root hash line");
  const [origin, size, root] = lines;
  if (!origin) throw new NoteError("the checkpoint's origin line is empty");
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new NoteError(`the checkpoint's tree size "${size}" is not a decimal number`);
  }
  const rootHash = Buffer.from(root, "base64");
  if (rootHash.length !== 32 || rootHash.toString("base64") !== root) {
    throw new NoteError("the checkpoint's root hash is not the base64 of 32 bytes");
  }
  return { origin, treeSize: Number(size), rootHash };
}

/** The four-byte key hash: the start of SHA-256(name || "\n" || 0x01 || public key). */
export function keyHash(name: string, publicKey: Buffer): Buffer {
  return createHash("sha256")
    .update(`${name}\n`, "utf8")
    .update(Buffer.from([ALG_ED25519]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** `<name>+<hex key hash>+<base64(0x01 || public key)>`, as golang.org/x/mod/sumdb/note reads it. */
export function verifierKey(name: string, publicKeyPem: string): string {
  if (!isKeyName(name)) throw new NoteError('a key name has no spaces or "+"');
  const raw = rawPublicKey(publicKeyFromPem(publicKeyPem));
  return `${name}+${keyHash(name, raw).toString("hex")}+${Buffer.concat([Buffer.from([ALG_ED25519]), raw]).toString("base64")}`;
}

type Verifier = { name: string; hash: Buffer; key: KeyObject };

export function parseVerifierKey(vkey: string): Verifier {
  // The key's base64 may itself hold "+": only the first two separate fields.
  const first = typeof vkey === "string" ? vkey.indexOf("+") : -1;
  const second = first < 0 ? -1 : vkey.indexOf("+", first + 1);
  if (second < 0) throw new NoteError("a verifier key is <name>+<key hash>+<key>");
  const [name, hashHex, keyB64] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
  if (!isKeyName(name)) throw new NoteError("the verifier key's name is empty or has spaces");
  if (!/^[0-9a-f]{8}$/.test(hashHex)) throw new NoteError("the verifier key's hash is not 8 lowercase hex characters");
  const key = Buffer.from(keyB64, "base64");
  if (key.length !== 33 || key.toString("base64") !== keyB64 || key[0] !== ALG_ED25519) {
    throw new NoteError("the verifier key is not an Ed25519 key (0x01 followed by 32 bytes, in base64)");
  }
  const raw = key.subarray(1);
  const hash = keyHash(name, raw);
  if (hash.toString("hex") !== hashHex) throw new NoteError("the verifier key's hash does not match its name and key");
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]);
  return { name, hash, key: publicKeyFromSpki(spki) };
}

/** Signs `text` as a signed note under the key name `name`. */
export function signNote(text: string, name: string, privateKeyPem: string): string {
  checkText(text);
  if (!isKeyName(name)) throw new NoteError('a key name has no spaces or "+"');
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== "ed25519") throw new NoteError("signed notes here are signed with an Ed25519 key");
  const hash = keyHash(name, rawPublicKey(createPublicKey(privateKey)));
  const signature = sign(null, Buffer.from(text, "utf8"), privateKey);
  return `${text}\n${SIG_PREFIX}${name} ${Buffer.concat([hash, signature]).toString("base64")}\n`;
}

/** The C2SP checkpoint for (origin, size, root), signed with the key named after the origin. */
export function signCheckpointNote(cp: Checkpoint, privateKeyPem: string): string {
  return signNote(checkpointText(cp), cp.origin, privateKeyPem);
}

/**
 * Opens a signed note: returns its text once a signature from one of the
 * verifier keys checks. Signatures by other keys are ignored; a signature that
 * claims a known key but does not verify fails the note.
 */
export function openNote(note: string, verifierKeys: string[]): { text: string; signedBy: string[] } {
  const verifiers = verifierKeys.map(parseVerifierKey);
  if (typeof note !== "string" || /[\u0000-\u0009\u000b-\u001f\ufffd]/.test(note)) throw new NoteError("the note is malformed");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new NoteError("the note has no signatures");
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  checkText(text);
  if (!block.endsWith("\n")) throw new NoteError("the note's signature block does not end in a newline");
  const signedBy: string[] = [];
  const seen = new Set<string>();
  for (const line of block.slice(0, -1).split("\n")) {
    if (!line.startsWith(SIG_PREFIX)) throw new NoteError(`the note has a line that is not a signature: "${line.slice(0, 40)}"`);
    const [name, sigB64, extra] = line.slice(SIG_PREFIX.length).split(" ");
    if (extra !== undefined || !name || !isKeyName(name) || !sigB64) throw new NoteError("the note has a malformed signature line");
    const sig = Buffer.from(sigB64, "base64");
    if (sig.length < 5 || sig.toString("base64") !== sigB64) throw new NoteError("the note has a signature that is not base64");
    const id = `${name}+${sig.subarray(0, 4).toString("hex")}`;
    if (seen.has(id)) throw new NoteError(`the note is signed twice by ${name}`);
    seen.add(id);
    const v = verifiers.find((k) => k.name === name && k.hash.equals(sig.subarray(0, 4)));
    if (!v) continue;
    if (!verify(null, Buffer.from(text, "utf8"), v.key, sig.subarray(4))) throw new NoteError(`the signature by ${name} does not verify`);
    signedBy.push(name);
  }
  if (signedBy.length === 0) throw new NoteError("the note has no signature from a known key");
  return { text, signedBy };
}

/** Opens a checkpoint note with the log's verifier key; its origin must be the key's name. */
export function openCheckpointNote(note: string, vkey: string): Checkpoint {
  const { text } = openNote(note, [vkey]);
  const cp = parseCheckpointText(text);
  const name = parseVerifierKey(vkey).name;
  if (cp.origin !== name) throw new NoteError(`the checkpoint's origin is "${cp.origin}", but the key is for "${name}"`);
  return cp;
}

function checkText(text: string) {
  if (text === "" || !text.endsWith("\n")) throw new NoteError("a note's text ends in a newline");
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) throw new NoteError("a note's text has no control characters but newlines");
}

function isKeyName(name: string): boolean {
  return typeof name === "string" && name !== "" && !name.includes("+") && !/\s/u.test(name);
}

function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== "ed25519") throw new NoteError("expected an Ed25519 key");
  return rawEd25519(key);
}
