/**
 * Where a request came from. Next keeps an X-Forwarded-For header the client
 * wrote (it adds the socket's address only when the header is missing), so
 * that header alone proves nothing. scripts/peer-address.cjs, preloaded into
 * the Next process, puts the socket peer's address in `x-syncledger-peer`
 * before Next reads the request, overwriting any value a client sent.
 *
 * - Without TRUSTED_PROXIES the client is the socket peer; X-Forwarded-For is ignored.
 * - With it, X-Forwarded-For is walked from the right, starting at the peer,
 *   skipping only trusted proxies: the first address not trusted is the client.
 *
 * Without the preload (Next started some other way) the address is unknown
 * (null) rather than taken from a header anyone can write.
 */
import ipaddr from "ipaddr.js";
import { randomUUID } from "node:crypto";
import type { RequestMeta } from "@/lib/auth/context";
import { getConfig } from "@/lib/config";

/** Set by scripts/peer-address.cjs; keep the two names equal. */
export const PEER_HEADER = "x-syncledger-peer";

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

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
function normalize(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.trim().replace(/^\[|\]$/g, "");
  if (!ipaddr.isValid(v)) return null;
  return ipaddr.process(v).toString();
}

function isTrusted(ip: string, trusted: Range[]): boolean {
  const addr = ipaddr.process(ip);
  return trusted.some(([range, bits]) => addr.kind() === range.kind() && addr.match([range, bits] as never));
}

/**
 * The client's address: the socket peer, or, when the peer is a trusted proxy,
 * the right-most X-Forwarded-For hop that is not one. A hop that is not an IP
 * address ends the walk at the last trusted hop's word, which is the last one
 * we can believe.
 */
export function clientIp(peer: string | null, forwardedFor: string | null, trusted: Range[]): string | null {
  let current = normalize(peer);
  if (!current) return null;
  if (trusted.length === 0 || !forwardedFor) return current;
  const hops = forwardedFor
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0 && isTrusted(current, trusted); i--) {
    const hop = normalize(hops[i]);
    if (!hop) return current;
    current = hop;
  }
  return current;
}

let trustedCache: { raw: string | undefined; ranges: Range[] } | undefined;

export function requestMetaFrom(headers: Headers): RequestMeta {
  const raw = getConfig().TRUSTED_PROXIES;
  if (!trustedCache || trustedCache.raw !== raw) trustedCache = { raw, ranges: parseTrustedProxies(raw) };
  const requestId = headers.get("x-request-id");
  return {
    ip: clientIp(headers.get(PEER_HEADER), headers.get("x-forwarded-for"), trustedCache.ranges),
    userAgent: headers.get("user-agent"),
    requestId: requestId && /^[\w-]{8,64}$/.test(requestId) ? requestId : randomUUID(),
  };
}
