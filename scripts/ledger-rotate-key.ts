/**
 * npm run ledger:rotate-key -- --old-key FILE|env:NAME --new-key FILE|env:NAME
 * Registers a new checkpoint signing key with a rotation statement signed by
 * the current key (lib/ledger/rotation.ts), the only way a second key is
 * accepted. Keys are read as LEDGER_SIGNING_KEY holds them (base64 PKCS#8, as
 * npm run ledger:keygen prints; a LEDGER_SIGNING_KEY= prefix is allowed) or as
 * PEM, from a file or from an environment variable. Afterwards set
 * LEDGER_SIGNING_KEY to the new key and restart. Exit code 2 on a usage error.
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { getDb } from "@/db/client";
import { parseSigningKey, rotateSigningKey } from "@/lib/ledger/keys";
import { fail, runCli } from "./cli";

const usage = "usage: npm run ledger:rotate-key -- --old-key FILE|env:NAME --new-key FILE|env:NAME";
const { values } = parseArgs({ options: { "old-key": { type: "string" }, "new-key": { type: "string" } } });
if (!values["old-key"] || !values["new-key"]) fail(usage);

function readKey(where: string, label: string) {
  let text: string | undefined;
  if (where.startsWith("env:")) {
    text = process.env[where.slice(4)];
    if (!text) fail(`${label}: environment variable ${where.slice(4)} is not set`);
  } else {
    try {
      text = fs.readFileSync(where, "utf8");
    } catch {
      fail(`${label}: cannot read ${where}`);
    }
  }
  return parseSigningKey(text!.trim().replace(/^LEDGER_SIGNING_KEY=/, ""), label);
}

await runCli(async () => {
  const oldKey = readKey(values["old-key"]!, "--old-key");
  const newKey = readKey(values["new-key"]!, "--new-key");
  const rotation = await rotateSigningKey(getDb(), oldKey, newKey);
  console.error(rotation.statement);
  console.log(
    `Registered key ${rotation.newKeyId}, vouched for by ${rotation.oldKeyId}. Set LEDGER_SIGNING_KEY to the new key and restart.`,
  );
});
