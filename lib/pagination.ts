/**
 * Keyset pagination cursors shared by every newest-first list: the last
 * row's exact timestamp (microseconds, as Postgres prints it) and its id.
 */
export type Cursor = { ts: string; id: string };

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.ts}|${c.id}`, "utf8").toString("base64url");
}

export function decodeCursor(value: string): Cursor | null {
  const text = Buffer.from(value, "base64url").toString("utf8");
  const [ts, id] = text.split("|");
  if (!ts || !id || Number.isNaN(Date.parse(ts)) || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  return { ts, id };
}
