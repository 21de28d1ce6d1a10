/**
 * How values read everywhere in the console: one date-and-time format (UTC, as the Audit Log and
 * exported evidence use, so screenshots and files agree), counts with thousands separators, sizes
 * in B / KB / MB, and plurals that agree with their count. Client-safe.
 */

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
const dateOnly = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });
const count = new Intl.NumberFormat("en-GB");

function toDate(d: Date | string | number | null | undefined): Date | null {
  if (d === null || d === undefined || d === "") return null;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "30 Nov 2026, 08:12:32" (UTC); "—" when there is no time. */
export function formatDateTime(d: Date | string | number | null | undefined): string {
  const date = toDate(d);
  return date ? dateTime.format(date) : "—";
}

/** "30 Nov 2026" (UTC); "—" when there is no date. */
export function formatDate(d: Date | string | number | null | undefined): string {
  const date = toDate(d);
  return date ? dateOnly.format(date) : "—";
}

/** "605,010". */
export function formatCount(n: number): string {
  return count.format(n);
}

/** "9 B", "1.5 KB", "26 MB": binary multiples; a whole number shows no decimal, so a limit reads "25 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** "1 sync", "2 syncs", "1,204 entries": the count formatted, the noun agreeing with it. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : pluralForm}`;
}

/** A message as a sentence: capitalised, ending in a full stop. */
export function asSentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const first = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(first) ? first : `${first}.`;
}
