/** SHA-256 as lowercase hex: the one hash helper for ledger entries, staged records, API keys and fingerprints. */
import * as nodeCrypto from "node:crypto";

type OneShot = (alg: string, data: string | Buffer, enc: "hex") => string;
const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;

/** crypto.hash (Node ≥ 20.12) skips the Hash object: several times faster for the short inputs of a sync. Strings are hashed as UTF-8. */
export const sha256Hex: (data: string | Buffer) => string =
  typeof oneShot === "function"
    ? (data) => oneShot("sha256", data, "hex")
    : (data) => nodeCrypto.createHash("sha256").update(data).digest("hex");
