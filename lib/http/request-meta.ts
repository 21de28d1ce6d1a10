/**
 * Where a request came from. The client address is the right-most entry of
 * X-Forwarded-For that is not a trusted proxy: the Next server appends the
 * socket peer, so a client cannot forge its address by sending the header.
 */
import ipaddr from "ipaddr.js";
import { randomUUID } from "node:crypto";
import type { RequestMeta } from "@/lib/auth/context";

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

function isTrusted(ip: string, trusted: Range[]): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(ip);
  } catch {
    return false;
  }
  return trusted.some(([range, bits]) => addr.kind() === range.kind() && addr.match([range, bits] as never));
}

export function clientIp(forwardedFor: string | null, trusted: Range[]): string | null {
  if (!forwardedFor) return null;
  const hops = forwardedFor
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (i === 0 || !isTrusted(hops[i], trusted)) return hops[i];
  }
  return null;
}

let trustedCache: { raw: string | undefined; ranges: Range[] } | undefined;

export function requestMetaFrom(headers: Headers): RequestMeta {
  const raw = process.env.TRUSTED_PROXIES;
  if (!trustedCache || trustedCache.raw !== raw) trustedCache = { raw, ranges: parseTrustedProxies(raw) };
  const requestId = headers.get("x-request-id");
  return {
    ip: clientIp(headers.get("x-forwarded-for"), trustedCache.ranges),
    userAgent: headers.get("user-agent"),
    requestId: requestId && /^[\w-]{8,64}$/.test(requestId) ? requestId : randomUUID(),
  };
}
