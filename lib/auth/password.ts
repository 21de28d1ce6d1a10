/** Password hashing with argon2id. */
import argon2 from "argon2";
import { getConfig } from "@/lib/config";

/** Test suites create hundreds of users; the library's defaults (64 MiB, 3 passes) cost about a second each. */
const TEST_COST = { memoryCost: 1024, timeCost: 1, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  const cost = getConfig().PASSWORD_HASH_COST === "test" ? TEST_COST : {};
  return argon2.hash(password, { type: argon2.argon2id, ...cost });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against when the user does not exist, so timing does not tell. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(crypto.randomUUID());
  return decoy;
}
