/**
 * Secrets at rest: AES-256-GCM under ENCRYPTION_KEY. The stored form is
 * "v1.<iv>.<tag>.<ciphertext>" (base64url); the integration id is bound as
 * associated data so a ciphertext cannot be moved to another integration.
 */
import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";

function key(): Buffer {
  const hex = getConfig().ENCRYPTION_KEY;
  if (!hex) throw new AppError("unavailable:encryption_key", "ENCRYPTION_KEY is not configured.");
  return Buffer.from(hex, "hex");
}

export function encryptJson(value: Record<string, unknown>, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), body].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

export function decryptJson(stored: string, associatedData: string): Record<string, unknown> {
  const [version, iv, tag, body] = stored.split(".");
  if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("unrecognised secret format");
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  const plain = Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]);
  return JSON.parse(plain.toString("utf8"));
}
