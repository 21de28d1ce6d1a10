/**
 * CSV connector: uploaded files (one per object type) read from the object
 * store as a stream through csv-parse, so a file of any size is never held in
 * memory. A bad row is reported with its line number and skipped; a file that
 * is not CSV at all (binary, HTML, no header, missing id column) fails the run
 * naming the file. Also exports `sniffCsv`, the same check for upload time.
 */
import { addAbortSignal, pipeline, Readable } from "node:stream";
import { parse, type CsvError, type Info } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";
import { z } from "zod";
import { CANONICAL_FIELDS } from "@/lib/domain/enums";
import {
  ConnectorError,
  errorText,
  type Connector,
  type ExtractOptions,
  type ExtractPage,
  type ExtractResult,
  type ObjectType,
  type SourceRecord,
} from "./types";

export const CSV_FILE_KINDS = ["accounts", "groups", "entitlements", "memberships"] as const;
export type CsvFileKind = (typeof CSV_FILE_KINDS)[number];

const OBJECT_TYPE_OF: Record<CsvFileKind, ObjectType> = {
  accounts: "account",
  groups: "group",
  entitlements: "entitlement",
  memberships: "membership",
};

/** Source attributes a row must have a value for, per file (after header mapping). */
const ID_ATTRIBUTES: Record<CsvFileKind, readonly string[]> = {
  accounts: ["externalId"],
  groups: ["externalId"],
  entitlements: ["externalId"],
  memberships: ["groupExternalId", "memberExternalId"],
};

/** How much of a file is looked at to decide whether it is CSV. */
export const SNIFF_BYTES = 64 * 1024;
const DEFAULT_PAGE_SIZE = 1000;
const DELIMITERS = [",", ";", "\t", "|"] as const;

const objectKey = z
  .string()
  .trim()
  .min(1)
  .max(1024)
  .regex(/^[A-Za-z0-9/._-]+$/, "Not an uploaded file key");
const headerMap = z.record(z.string().min(1), z.string().trim().min(1, "Map the column to an attribute name"));

export const csvConfigSchema = z.object({
  files: z
    .object({
      accounts: objectKey.optional(),
      groups: objectKey.optional(),
      entitlements: objectKey.optional(),
      memberships: objectKey.optional(),
    })
    .refine((files) => Object.values(files).some(Boolean), { error: "Upload at least one file" }),
  delimiter: z.enum(DELIMITERS, { error: 'The delimiter is one of , ; | or a tab ("\\t")' }).optional(),
  /** Per file: column header -> source attribute; columns not listed keep their header as the attribute name. */
  headerMapping: z
    .object({
      accounts: headerMap.optional(),
      groups: headerMap.optional(),
      entitlements: headerMap.optional(),
      memberships: headerMap.optional(),
    })
    .optional(),
});
export type CsvConfig = z.infer<typeof csvConfigSchema>;

export const csvConnector: Connector<CsvConfig> = {
  type: "csv",
  label: "CSV files",
  configSchema: csvConfigSchema,
  secretFields: [],
  capabilities: { objectTypes: ["account", "group", "entitlement", "membership"], delta: false },
  // The expected columns are the canonical field names, so a file laid out like
  // the template needs no mapping at all.
  defaultMapping: {
    account: identity(CANONICAL_FIELDS.account),
    group: identity(CANONICAL_FIELDS.group),
    entitlement: identity(CANONICAL_FIELDS.entitlement),
    membership: identity(CANONICAL_FIELDS.membership),
  },

  async test(config, signal) {
    // The object store is only needed here; the sync engine passes openObject to extract().
    const { getObjectStore } = await import("@/lib/storage");
    const store = getObjectStore();
    return testCsvFiles(config, (key) => store.get(key), signal);
  },

  extract: extractCsv,
};

/** Each canonical field read from the column of its own name; the id column is the record's id, not a field. */
function identity(fields: readonly string[]): Record<string, string> {
  return Object.fromEntries(fields.filter((f) => f !== "externalId").map((f) => [f, f]));
}

/** Reads every configured file through, counting good and rejected rows. */
export async function testCsvFiles(
  config: CsvConfig,
  openObject: (key: string) => Promise<Readable>,
  signal?: AbortSignal,
): Promise<{ summary: string; counts: Partial<Record<ObjectType, number>> }> {
  const counts: Partial<Record<ObjectType, number>> = {};
  const parts: string[] = [];
  for (const kind of CSV_FILE_KINDS) {
    if (!config.files[kind]) continue;
    let good = 0;
    let bad = 0;
    for await (const page of readFile(config, kind, openObject, signal, DEFAULT_PAGE_SIZE)) {
      good += page.records.length;
      bad += page.rejected?.length ?? 0;
    }
    counts[OBJECT_TYPE_OF[kind]] = good;
    parts.push(`${kind}: ${good} rows${bad ? ` (${bad} rejected)` : ""}`);
  }
  return { summary: `Read ${parts.join(", ")}`, counts };
}

async function* extractCsv(config: CsvConfig, opts: ExtractOptions): AsyncGenerator<ExtractPage, ExtractResult> {
  const { openObject } = opts;
  if (!openObject) throw new ConnectorError("The CSV connector needs access to the uploaded files (openObject)", "config");
  const wanted = new Set(opts.objectTypes);
  for (const kind of CSV_FILE_KINDS) {
    if (!config.files[kind] || !wanted.has(OBJECT_TYPE_OF[kind])) continue;
    yield* readFile(config, kind, openObject, opts.signal, opts.pageSize ?? DEFAULT_PAGE_SIZE);
  }
  // Files are complete snapshots: there is nothing to resume from.
  return { cursors: {}, mode: "full" };
}

async function* readFile(
  config: CsvConfig,
  kind: CsvFileKind,
  openObject: (key: string) => Promise<Readable>,
  signal: AbortSignal | undefined,
  pageSize: number,
): AsyncGenerator<ExtractPage> {
  signal?.throwIfAborted();
  const key = config.files[kind]!;
  const objectType = OBJECT_TYPE_OF[kind];
  const name = `${kind} file "${key}"`;
  const delimiter = config.delimiter ?? ",";
  const mapping = config.headerMapping?.[kind] ?? {};

  let source: Readable;
  try {
    source = await openObject(key);
  } catch (error) {
    throw new ConnectorError(`Cannot open the ${name}: ${errorText(error)}`, "config", { cause: error });
  }

  try {
    const chunks = source[Symbol.asyncIterator]();
    const head = await readHead(chunks, name, signal);
    const sniff = sniffCsv(Buffer.concat(head).subarray(0, SNIFF_BYTES), delimiter);
    if (!sniff.ok) throw new ConnectorError(`The ${name} is not usable CSV: ${sniff.reason}`, "bad_data");

    const attributes = sniff.headers.map((h) => mapping[h] ?? h);
    const missing = ID_ATTRIBUTES[kind].filter((a) => !attributes.includes(a));
    if (missing.length > 0) {
      throw new ConnectorError(
        `The ${name} has no ${missing.map((m) => `"${m}"`).join(" or ")} column (columns: ${sniff.headers.join(", ")}); rename the column or map it in the header mapping`,
        "bad_data",
      );
    }

    const rejected: NonNullable<ExtractPage["rejected"]> = [];
    const parser = parse({
      delimiter,
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      // Column counts are checked below, per row, so a short row is reported rather than fatal.
      relax_column_count: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        if (error) rejected.push({ line: (error as CsvError & { lines?: number }).lines, reason: error.message });
        return undefined;
      },
    });
    const rest = Readable.from(
      (async function* () {
        yield* head;
        while (true) {
          const next = await chunks.next();
          if (next.done) return;
          yield next.value as Buffer;
        }
      })(),
    );
    // Errors of either stream surface through the parser being iterated below.
    pipeline(rest, parser, () => undefined);
    if (signal) addAbortSignal(signal, parser);

    let records: SourceRecord[] = [];
    let headerSeen = false;
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
        if (!headerSeen) {
          headerSeen = true;
          continue;
        }
        const row = toRecord(kind, objectType, attributes, record, info.lines);
        if ("reason" in row) rejected.push(row);
        else records.push(row);
        if (records.length + rejected.length >= pageSize) {
          yield { objectType, records, ...(rejected.length ? { rejected: rejected.splice(0) } : {}) };
          records = [];
        }
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw readError(name, error);
    }
    if (records.length > 0 || rejected.length > 0) {
      yield { objectType, records, ...(rejected.length ? { rejected: rejected.splice(0) } : {}) };
    }
  } finally {
    // Also after an early stop or a refused file: the store's stream (a file
    // handle or an HTTP response) must not linger.
    source.destroy();
  }
}

/**
 * The first SNIFF_BYTES of the file, looked at before parsing so a binary or
 * HTML upload fails with one clear reason instead of thousands of bad rows.
 */
async function readHead(chunks: AsyncIterator<unknown>, name: string, signal: AbortSignal | undefined): Promise<Buffer[]> {
  const head: Buffer[] = [];
  let bytes = 0;
  try {
    while (bytes < SNIFF_BYTES) {
      const next = await chunks.next();
      if (next.done) break;
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as string);
      head.push(chunk);
      bytes += chunk.length;
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw readError(name, error);
  }
  return head;
}

/** A parser error is the file's fault (bad_data); anything else is the store's (unreachable). */
function readError(name: string, error: unknown): ConnectorError {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("CSV_")) {
    const line = (error as { lines?: number }).lines;
    return new ConnectorError(`The ${name} could not be parsed${line ? ` at line ${line}` : ""}: ${errorText(error)}`, "bad_data", {
      cause: error,
    });
  }
  return new ConnectorError(`Cannot read the ${name}: ${errorText(error)}`, "unreachable", { cause: error });
}

function toRecord(
  kind: CsvFileKind,
  objectType: ObjectType,
  attributes: string[],
  values: string[],
  line: number,
): SourceRecord | NonNullable<ExtractPage["rejected"]>[number] {
  if (values.length !== attributes.length) {
    return { line, reason: `has ${values.length} columns, the header has ${attributes.length}` };
  }
  const row: Record<string, string> = {};
  attributes.forEach((attribute, i) => {
    // With two columns mapped onto one attribute, the first non-empty value wins.
    if (!row[attribute]) row[attribute] = values[i];
  });
  const empty = ID_ATTRIBUTES[kind].filter((a) => !row[a]);
  if (empty.length > 0) {
    return { line, reason: `no value in the ${empty.map((a) => `"${a}"`).join(" and ")} column`, attributes: row };
  }
  const externalId = kind === "memberships" ? `${row.groupExternalId}|${row.memberExternalId}` : row.externalId;
  return { objectType, externalId, attributes: row };
}

export type CsvSniff = { ok: true; headers: string[] } | { ok: false; reason: string };

/**
 * Decides from the first bytes of a file whether it is CSV with a header row,
 * and returns the header. Pass the delimiter when it is known; otherwise the
 * most frequent of , ; tab | in the first line is used.
 */
export function sniffCsv(firstBytes: Uint8Array, delimiter?: string): CsvSniff {
  const bytes = Buffer.from(firstBytes.buffer, firstBytes.byteOffset, firstBytes.byteLength);
  if (bytes.length === 0) return { ok: false, reason: "the file is empty" };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, reason: "the file is UTF-16 text; save it as CSV UTF-8" };
  }
  if (bytes.subarray(0, 4).equals(Buffer.from("PK\x03\x04", "latin1"))) {
    return { ok: false, reason: "the file is a ZIP archive (an Excel workbook?); export it as CSV" };
  }
  if (bytes.subarray(0, 5).toString("latin1") === "%PDF-") return { ok: false, reason: "the file is a PDF document" };
  if (bytes.includes(0)) return { ok: false, reason: "the file is binary (it contains NUL bytes)" };
  let control = 0;
  for (const b of bytes) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  if (control > bytes.length / 100) return { ok: false, reason: "the file is binary (it contains control characters)" };

  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  const start = text.trimStart();
  if (/^<(!doctype|html|head|body|\?xml|svg)\b/i.test(start)) return { ok: false, reason: "the file is HTML or XML, not CSV" };
  if (/^[{[]\s*["{[\]]/.test(start)) return { ok: false, reason: "the file is JSON, not CSV" };

  const firstLine = text.split(/\r\n|\n|\r/, 1)[0];
  if (firstLine.trim() === "") return { ok: false, reason: "the first line is empty; the first line must be the header row" };
  if (firstLine.length === text.length && bytes.length >= SNIFF_BYTES) {
    return { ok: false, reason: `no line break in the first ${SNIFF_BYTES / 1024} KiB, so there is no header row` };
  }
  const sep = delimiter ?? guessDelimiter(firstLine);
  let headers: string[];
  try {
    headers = (parseSync(firstLine, { delimiter: sep, trim: true, relax_quotes: false }) as string[][])[0] ?? [];
  } catch (error) {
    return { ok: false, reason: `the header row is not valid CSV: ${errorText(error)}` };
  }
  const blank = headers.indexOf("");
  if (blank >= 0) return { ok: false, reason: `column ${blank + 1} of the header row has no name` };
  const duplicate = headers.find((h, i) => headers.indexOf(h) !== i);
  if (duplicate !== undefined) return { ok: false, reason: `the header row names column "${duplicate}" twice` };
  return { ok: true, headers };
}

function guessDelimiter(line: string): string {
  const outsideQuotes = line.replace(/"[^"]*"/g, "");
  let best: string = ",";
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = outsideQuotes.split(d).length - 1;
    if (count > bestCount) [best, bestCount] = [d, count];
  }
  return best;
}
