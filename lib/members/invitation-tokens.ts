/** Invitation links: a 256-bit random token in the URL, its SHA-256 in the database. */
import { createHash, randomBytes } from "node:crypto";
import type { InvitationRow } from "@/db/queries/invitations";
import { appOrigin } from "@/lib/auth/redirect-target";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export function newInvitationToken(): string {
  return randomBytes(32).toString("base64url");
}

/** A fast hash is enough: the token is random, not a password. */
export function hashInvitationToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function invitationLink(token: string): string {
  return new URL(`/invite/${token}`, appOrigin()).toString();
}

export type InvitationStatus = "pending" | "expired" | "accepted" | "revoked";

export function invitationStatus(row: Pick<InvitationRow, "acceptedAt" | "revokedAt" | "expiresAt">, now = new Date()): InvitationStatus {
  if (row.acceptedAt) return "accepted";
  if (row.revokedAt) return "revoked";
  if (row.expiresAt <= now) return "expired";
  return "pending";
}

export function invitationView(row: InvitationRow) {
  const { tokenHash: _hidden, ...rest } = row;
  return { ...rest, status: invitationStatus(row) };
}

export type InvitationView = ReturnType<typeof invitationView>;
