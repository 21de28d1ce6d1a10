/** Reading directory entries: attribute values by case-insensitive name, group members, DNs in canonical form. */
import type { Entry } from "ldapts";

export function values(entry: Entry, attribute: string): string[] {
  const lower = attribute.toLowerCase();
  const key = Object.keys(entry).find((k) => k.toLowerCase() === lower);
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export function memberDns(group: Entry): string[] {
  // uniqueMember may carry an optional "#'0101'B" UID suffix (RFC 4519).
  return [...values(group, "member"), ...values(group, "uniqueMember").map((v) => v.replace(/#'[01]*'B$/, ""))];
}

/** DNs with no escapes, no multi-valued RDNs and no spaces around separators: lower case is their canonical form. */
const PLAIN_DN = /^[^\\+\s](?:[^\\+]*[^\\+\s])?$/;
const SPACE_AT_SEPARATOR = /\s[,=]|[,=]\s/;

/** Case and spacing differ between a member value and the entry's own DN; compare them canonically. */
export function normalizeDn(dn: string): string {
  // Most DNs a directory returns are plain; the split below is for the others.
  if (PLAIN_DN.test(dn) && !SPACE_AT_SEPARATOR.test(dn)) return dn.toLowerCase();
  return dn
    .split(/(?<!\\),/)
    .map((rdn) =>
      rdn
        .split(/(?<!\\)\+/)
        .map((ava) => {
          const i = ava.indexOf("=");
          return `${ava.slice(0, i).trim().toLowerCase()}=${ava
            .slice(i + 1)
            .trim()
            .toLowerCase()}`;
        })
        .join("+"),
    )
    .join(",");
}
