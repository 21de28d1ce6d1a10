/**
 * cosignature/v1 (c2sp.org/tlog-cosignature) against vectors made outside this
 * code: the key is RFC 8032's first Ed25519 test key, and the verifier key and
 * cosignature line were computed with Python's hashlib and the `cryptography`
 * package from the spec's text alone (Ed25519 is deterministic, so the line is fixed).
 */
import { describe, expect, it } from "vitest";
import {
  cosign,
  cosignatureTimestamp,
  noteCosignatures,
  parseVerifierKey,
  verifyCosignature,
  witnessKeyPair,
  witnessVerifierKey,
} from "@/lib/ledger/cosignature";
import { NoteError } from "@/lib/ledger/note";

const RFC8032_PRIVATE_PEM =
  "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
const RFC8032_PUBLIC = Buffer.from("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "hex");
const NAME = "witness.example/w1";
const VKEY = "witness.example/w1+eb762cc2+BNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea";
// The checkpoint body and time of the spec's own example.
const BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
const TIME = 1679315147;
const LINE =
  "\u2014 witness.example/w1 63YswgAAAABkGFDL+TPmh4BYuAjsYRoqMJCWb/gWJaeRF/kmm5tlCr9sJ57DLErur7K0yDXc2ArN+TIuotuB/HbuL3AJsp3bv/aNCQ==\n";

describe("cosignature/v1", () => {
  it("derives the verifier key (type 0x04, key id over name and key) as computed independently", () => {
    expect(witnessVerifierKey(NAME, RFC8032_PUBLIC)).toBe(VKEY);
    const v = parseVerifierKey(VKEY);
    expect(v.name).toBe(NAME);
    expect(v.keyId.toString("hex")).toBe("eb762cc2");
    expect(v.publicKey.equals(RFC8032_PUBLIC)).toBe(true);
  });

  it("produces the independently computed cosignature line, byte for byte", () => {
    expect(cosign(BODY, NAME, RFC8032_PRIVATE_PEM, TIME)).toBe(LINE);
    expect(verifyCosignature(VKEY, BODY, LINE)).toEqual({ name: NAME, timestamp: TIME });
    expect(verifyCosignature(VKEY, BODY, LINE.trimEnd())).toEqual({ name: NAME, timestamp: TIME });
  });

  it("reads the timestamp of the spec's own example cosignature", () => {
    const specLine =
      "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==";
    expect(cosignatureTimestamp(specLine)).toMatchObject({ name: "witness.example.com/w1", timestamp: 1679315147 });
  });

  it("rejects a cosignature over another body, another time, another key or name", () => {
    expect(verifyCosignature(VKEY, BODY.replace("20852163", "20852164"), LINE)).toBeNull();
    const sig = Buffer.from(LINE.trimEnd().split(" ")[2], "base64");
    sig.writeBigUInt64BE(BigInt(TIME + 1), 4);
    expect(verifyCosignature(VKEY, BODY, `\u2014 ${NAME} ${sig.toString("base64")}\n`)).toBeNull();
    const other = witnessKeyPair();
    expect(verifyCosignature(witnessVerifierKey(NAME, other.publicKey), BODY, LINE)).toBeNull();
    expect(verifyCosignature(VKEY, BODY, LINE.replace(NAME, "witness.example/w2"))).toBeNull();
  });

  it("refuses a log key (type 0x01) as a witness key and a key whose id does not match", () => {
    expect(() => parseVerifierKey("example.com/log+6b2e8040+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4")).toThrow(/log's note key/);
    expect(() => parseVerifierKey(VKEY.replace("eb762cc2", "eb762cc3"))).toThrow(NoteError);
  });

  it("finds the witness's cosignature among a note's signature lines", () => {
    const kp = witnessKeyPair();
    const vkey = witnessVerifierKey("w.test/a", kp.publicKey);
    const note = `${BODY}\n\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n${LINE}${cosign(BODY, "w.test/a", kp.privateKey, 100)}`;
    const found = noteCosignatures(note, [VKEY, vkey]);
    expect(found.map((f) => [f.name, f.timestamp])).toEqual([
      [NAME, TIME],
      ["w.test/a", 100],
    ]);
  });
});
