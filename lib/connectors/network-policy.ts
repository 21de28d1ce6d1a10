/**
 * Where connectors may connect. Tenant admins type the host names, so without
 * a policy a connector could be pointed at the cloud metadata service, at the
 * app's own machine or at any internal address the server can reach.
 *
 * - Link-local, "this network", multicast and the known metadata addresses are
 *   always refused: no directory or SCIM app lives there.
 * - Loopback (127.0.0.0/8, ::1, `localhost`, and the same written as `127.1`,
 *   `2130706433`, `::ffff:127.0.0.1`…) is refused unless CONNECTOR_ALLOWED_HOSTS
 *   names it: the database, the object store and the app's own ports listen
 *   there. A wildcard never admits it.
 * - Private networks (10/8, 172.16/12, 192.168/16, fc00::/7) stay allowed:
 *   directories live there.
 * - `CONNECTOR_ALLOWED_HOSTS` (comma separated: `ldap.corp.example`,
 *   `*.corp.example`, `10.20.0.0/16`, `192.0.2.7`, and `*` for "any other
 *   host"), when set, is the complete list of hosts connectors may reach: a
 *   name must be listed (or fall under a listed *.domain), an IP address must
 *   be listed or inside a listed network. `127.0.0.1,*` allows a test
 *   directory on the same machine and leaves everything else open.
 *
 * Checked when settings are saved (the host as written) and again right
 * before each connection, when every address the name resolves to must also
 * stay clear of the refused ranges, so a name that is later pointed at
 * the metadata service or at 127.0.0.1 is caught at connect time.
 */
import { BlockList, isIP } from "node:net";
import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { getConfig } from "@/lib/config";

export type NetworkPolicy = { allowed: string[] | null };

const ALWAYS_BLOCKED = new BlockList();
ALWAYS_BLOCKED.addSubnet("0.0.0.0", 8, "ipv4");
ALWAYS_BLOCKED.addSubnet("169.254.0.0", 16, "ipv4");
ALWAYS_BLOCKED.addSubnet("224.0.0.0", 4, "ipv4");
ALWAYS_BLOCKED.addSubnet("240.0.0.0", 4, "ipv4");
ALWAYS_BLOCKED.addAddress("100.100.100.200", "ipv4");
ALWAYS_BLOCKED.addSubnet("fe80::", 10, "ipv6");
ALWAYS_BLOCKED.addSubnet("ff00::", 8, "ipv6");
ALWAYS_BLOCKED.addAddress("::", "ipv6");
ALWAYS_BLOCKED.addAddress("fd00:ec2::254", "ipv6");

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

export function parsePolicy(allowedHosts: string | undefined): NetworkPolicy {
  const entries = (allowedHosts ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  return { allowed: entries.length ? entries : null };
}

export function policyFromEnv(): NetworkPolicy {
  return parsePolicy(getConfig().CONNECTOR_ALLOWED_HOSTS);
}

/**
 * The host of a URL without IPv6 brackets, lowercased; an IP address in its
 * canonical form. URL leaves ldap:// hosts as written, and the resolver reads
 * `127.1` or `0x7f.0.0.1` as 127.0.0.1, so those are canonicalised here too.
 */
export function hostOf(url: string): string {
  const host = new URL(url).hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.$/, "");
  return canonicalIp(host) ?? host;
}

/** An IP address in canonical form (IPv4-mapped IPv6 as IPv4), or null for a name. */
function canonicalIp(value: string): string | null {
  if (!/^[0-9a-fx.:]+$/i.test(value) || !ipaddr.isValid(value)) return null;
  try {
    return ipaddr.process(value).toString();
  } catch {
    return null;
  }
}

function family(address: string): "ipv4" | "ipv6" {
  return isIP(address) === 6 ? "ipv6" : "ipv4";
}

/** An IPv4 address written as IPv6 (::ffff:a.b.c.d, ::ffff:7f00:1) is judged as IPv4. */
function unmapped(address: string): string {
  return canonicalIp(address) ?? address;
}

const RESERVED = "a link-local, metadata or reserved address, which connectors may not reach";

const LOOPBACK_REFUSED = "the app's own machine (loopback), which connectors may not reach unless CONNECTOR_ALLOWED_HOSTS names it";

function isBlocked(address: string): boolean {
  const a = unmapped(address);
  return ALWAYS_BLOCKED.check(a, family(a));
}

function isLoopbackAddress(address: string): boolean {
  const a = unmapped(address);
  return isIP(a) !== 0 && LOOPBACK.check(a, family(a));
}

function isLoopbackName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

/** Loopback passes only when the list names it: the name as written, the address, or a network holding it. Wildcards do not count. */
function loopbackNamed(policy: NetworkPolicy, host: string, address?: string): boolean {
  for (const entry of policy.allowed ?? []) {
    if (entry === "*" || entry.startsWith("*.")) continue;
    if (entry.includes("/")) {
      if (allowedByList({ allowed: [entry] }, host, address)) return true;
    } else if (isLoopbackName(host) && entry === host) {
      return true; // `localhost` listed: whatever loopback address it resolves to
    } else if (canonicalIp(entry) !== null && canonicalIp(entry) === (address ? unmapped(address) : host)) {
      return true;
    }
  }
  return false;
}

function allowedByList(policy: NetworkPolicy, host: string, address?: string): boolean {
  if (!policy.allowed) return true;
  for (const entry of policy.allowed) {
    if (entry === "*") return true;
    if (entry.includes("/")) {
      const [net, bits] = entry.split("/");
      const list = new BlockList();
      try {
        list.addSubnet(net, Number(bits), family(net));
      } catch {
        continue;
      }
      for (const candidate of [host, address]) {
        if (candidate && isIP(unmapped(candidate)) && list.check(unmapped(candidate), family(unmapped(candidate)))) return true;
      }
    } else if (entry.startsWith("*.")) {
      if (host.endsWith(entry.slice(1))) return true;
    } else if (entry === host || (address && entry === unmapped(address)) || (canonicalIp(entry) ?? entry) === host) {
      return true;
    }
  }
  return false;
}

/** The check at save time: the host as written. Returns why it is refused, or null. */
export function hostProblem(url: string, policy: NetworkPolicy = policyFromEnv()): string | null {
  const host = hostOf(url);
  if (isIP(host) && isBlocked(host)) return `${host} is ${RESERVED}`;
  if (!allowedByList(policy, host)) return `${host} is not in the hosts connectors may reach (CONNECTOR_ALLOWED_HOSTS)`;
  if ((isLoopbackAddress(host) || isLoopbackName(host)) && !loopbackNamed(policy, host)) return `${host} is ${LOOPBACK_REFUSED}`;
  return null;
}

/**
 * The check before connecting: the host and every address it resolves to.
 * Returns why it is refused, or null.
 */
export async function connectProblem(
  url: string,
  policy: NetworkPolicy = policyFromEnv(),
  resolve: (host: string) => Promise<string[]> = defaultResolve,
): Promise<string | null> {
  const literal = hostProblem(url, policy);
  if (literal) return literal;
  const host = hostOf(url);
  if (isIP(host)) return null;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return null; // the connection itself reports the DNS failure, in the connector's words
  }
  for (const address of addresses) {
    if (isBlocked(address)) return `${host} resolves to ${unmapped(address)}, ${RESERVED}`;
    if (!allowedByList(policy, host, address))
      return `${host} (${address}) is not in the hosts connectors may reach (CONNECTOR_ALLOWED_HOSTS)`;
    if (isLoopbackAddress(address) && !loopbackNamed(policy, host, address)) {
      return `${host} resolves to ${unmapped(address)}, ${LOOPBACK_REFUSED}`;
    }
  }
  return null;
}

async function defaultResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((r) => r.address);
}
