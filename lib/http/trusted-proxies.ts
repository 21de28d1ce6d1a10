/**
 * Which addresses are the operator's own reverse proxies (TRUSTED_PROXIES).
 * Pure and free of Node APIs, so the Edge middleware can ask whether the
 * socket peer is a proxy whose X-Forwarded-Proto may be believed.
 */
import ipaddr from "ipaddr.js";
import { getConfig } from "@/lib/config";

/** Set by scripts/peer-address.cjs; keep the two names equal. */
export const PEER_HEADER = "x-syncledger-peer";

export type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

export function parseTrustedProxies(value: string | undefined): Range[] {
  if (!value) return [];
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      if (entry.includes("/")) return ipaddr.parseCIDR(entry);
      const addr = ipaddr.process(entry);
      return [addr, addr.kind() === "ipv4" ? 32 : 128] as Range;
    });
}

/** An address in canonical form (IPv4-mapped IPv6 as IPv4), or null when it is not an IP address. */
export function normalizeIp(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.trim().replace(/^\[|\]$/g, "");
  if (!ipaddr.isValid(v)) return null;
  return ipaddr.process(v).toString();
}

export function isTrusted(ip: string, trusted: Range[]): boolean {
  const addr = ipaddr.process(ip);
  return trusted.some(([range, bits]) => addr.kind() === range.kind() && addr.match([range, bits] as never));
}

let cache: { raw: string | undefined; ranges: Range[] } | undefined;

/** TRUSTED_PROXIES as ranges, parsed again only when the variable changes. */
export function trustedProxies(raw = getConfig().TRUSTED_PROXIES): Range[] {
  if (!cache || cache.raw !== raw) cache = { raw, ranges: parseTrustedProxies(raw) };
  return cache.ranges;
}
