/**
 * Where connectors may connect. Tenant admins type the host names, so without
 * a policy a connector could be pointed at the cloud metadata service or any
 * internal address the server can reach.
 *
 * - Link-local, "this network", multicast and the known metadata addresses are
 *   always refused: no directory or SCIM app lives there.
 * - `CONNECTOR_ALLOWED_HOSTS` (comma separated: `ldap.corp.example`,
 *   `*.corp.example`, `10.20.0.0/16`, `192.0.2.7`), when set, is the complete
 *   list of hosts connectors may reach: a name must be listed (or fall under a
 *   listed *.domain), an IP address must be listed or inside a listed network.
 *
 * Checked when settings are saved (the host as written) and again right
 * before each connection, when every address the name resolves to must also
 * stay clear of the always-refused ranges, so a name that is later pointed at
 * the metadata service is caught at connect time.
 */
import { BlockList, isIP } from "node:net";
import { lookup } from "node:dns/promises";

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

export function parsePolicy(allowedHosts: string | undefined): NetworkPolicy {
  const entries = (allowedHosts ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  return { allowed: entries.length ? entries : null };
}

export function policyFromEnv(): NetworkPolicy {
  return parsePolicy(process.env.CONNECTOR_ALLOWED_HOSTS);
}

/** The host of a URL without IPv6 brackets, lowercased. */
export function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

function family(address: string): "ipv4" | "ipv6" {
  return isIP(address) === 6 ? "ipv6" : "ipv4";
}

/** An IPv4 address written as IPv6 (::ffff:a.b.c.d) is judged as IPv4. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

const RESERVED = "a link-local, metadata or reserved address, which connectors may not reach";

function isBlocked(address: string): boolean {
  const a = unmapped(address);
  return ALWAYS_BLOCKED.check(a, family(a));
}

function allowedByList(policy: NetworkPolicy, host: string, address?: string): boolean {
  if (!policy.allowed) return true;
  for (const entry of policy.allowed) {
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
    } else if (entry === host || (address && entry === unmapped(address))) {
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
    if (!allowedByList(policy, host, address)) return `${host} (${address}) is not in the hosts connectors may reach (CONNECTOR_ALLOWED_HOSTS)`;
  }
  return null;
}

async function defaultResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((r) => r.address);
}
