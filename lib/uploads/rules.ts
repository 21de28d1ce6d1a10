/**
 * What each kind of upload may be. A file's type is decided by its first
 * bytes and its extension together: both must name the same type, so a
 * renamed file (HTML called report.pdf) and a file that is two types at once
 * (a PDF carrying an HTML page) are refused. The type is judged on the head
 * of the file; markup is looked for in the whole file, streamed through a
 * `MarkupScanner`, since a page can sit anywhere in a PDF. Pure functions, so
 * they are unit-tested without a server.
 */
import { sniffCsv } from "@/lib/connectors/csv";

export { UPLOAD_PURPOSES, type UploadPurpose } from "@/lib/domain/enums";
import type { UploadPurpose } from "@/lib/domain/enums";

/** How much of a file the checks look at. */
export const HEAD_BYTES = 64 * 1024;

export const MiB = 1024 * 1024;
export { EVIDENCE_MAX_BYTES } from "./limits";
import { EVIDENCE_MAX_BYTES } from "./limits";
export const CSV_MAX_BYTES = 512 * MiB;
export const LOGO_MAX_BYTES = 256 * 1024;

export type Verdict =
  | {
      ok: true;
      contentType: string;
      extension: string;
      label: string;
      /** Set for binary types: stream the rest of the file through it; markup anywhere refuses the file. */
      markupScan: { label: string } | null;
    }
  | { ok: false; reason: string };

type Rule = {
  maxBytes: number;
  /** `head` is the first HEAD_BYTES of the file (all of it when smaller); `size` the declared size. */
  check: (head: Buffer, filename: string, size: number) => Verdict;
};

type FileType = {
  label: string;
  contentType: string;
  extensions: string[];
  /** Whether the bytes are this type; a string is the reason they are not. */
  matches: (head: Buffer, size: number) => true | string;
};

const PDF: FileType = {
  label: "PDF",
  contentType: "application/pdf",
  extensions: [".pdf"],
  matches: (head) => (head.subarray(0, 5).toString("latin1") === "%PDF-" ? true : "its content is not a PDF document"),
};
const PNG: FileType = {
  label: "PNG image",
  contentType: "image/png",
  extensions: [".png"],
  matches: (head) =>
    head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) &&
    head.subarray(12, 16).toString("latin1") === "IHDR"
      ? true
      : "its content is not a PNG image",
};
const JPEG: FileType = {
  label: "JPEG image",
  contentType: "image/jpeg",
  extensions: [".jpg", ".jpeg"],
  matches: (head) => (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff ? true : "its content is not a JPEG image"),
};
const CSV: FileType = {
  label: "CSV",
  contentType: "text/csv",
  extensions: [".csv"],
  matches: (head) => {
    const sniff = sniffCsv(head);
    return sniff.ok ? true : `it is not usable CSV (${sniff.reason})`;
  },
};
const JSON_FILE: FileType = {
  label: "JSON",
  contentType: "application/json",
  extensions: [".json"],
  matches: (head, size) => {
    if (!isUtf8Text(head)) return "it is not UTF-8 text, so not JSON";
    const text = head.toString("utf8").replace(/^\uFEFF/, "");
    if (size <= head.length) {
      try {
        JSON.parse(text);
        return true;
      } catch (error) {
        return `it is not valid JSON (${(error as Error).message})`;
      }
    }
    return /^\s*[{[]/.test(text) ? true : "it does not start like a JSON document";
  },
};
/** Office Open XML (xlsx, docx): a ZIP whose first entries name the OOXML parts. */
function ooxml(label: string, extension: string, contentType: string, partPrefix: string): FileType {
  return {
    label,
    contentType,
    extensions: [extension],
    matches: (head) => {
      if (!head.subarray(0, 4).equals(Buffer.from("PK\x03\x04", "latin1"))) return `its content is not ${article(label)} ${label} file`;
      const names = zipEntryNames(head);
      if (!names.includes("[Content_Types].xml") && !head.includes("[Content_Types].xml", 0, "latin1"))
        return `it is a ZIP archive but not ${article(label)} ${label} file`;
      const other = partPrefix === "word/" ? "xl/" : "word/";
      if (names.some((n) => n.startsWith(other))) return `it is an Office file of another kind than ${label}`;
      return true;
    },
  };
}
/** The older binary Office formats (xls, doc): an OLE2 compound file. */
function ole(label: string, extension: string, contentType: string): FileType {
  return {
    label,
    contentType,
    extensions: [extension],
    matches: (head) =>
      head.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))
        ? true
        : `its content is not ${article(label)} ${label} file`,
  };
}

const GIF: FileType = {
  label: "GIF image",
  contentType: "image/gif",
  extensions: [".gif"],
  matches: (head) => (/^GIF8[79]a$/.test(head.subarray(0, 6).toString("latin1")) ? true : "its content is not a GIF image"),
};
const WEBP: FileType = {
  label: "WebP image",
  contentType: "image/webp",
  extensions: [".webp"],
  matches: (head) =>
    head.subarray(0, 4).toString("latin1") === "RIFF" && head.subarray(8, 12).toString("latin1") === "WEBP"
      ? true
      : "its content is not a WebP image",
};

/** Images a logo may be; an SVG is refused, since it is a document that can carry script. */
export const LOGO_TYPES: FileType[] = [PNG, JPEG, WEBP, GIF];

/**
 * A logo is judged by its bytes alone (whatever its name says), then searched
 * for markup like any other binary file.
 */
function checkLogo(head: Buffer, size: number): Verdict {
  const type = LOGO_TYPES.find((t) => t.matches(head, size) === true);
  if (!type) {
    const text = head.subarray(0, 1024).toString("latin1").toLowerCase();
    const svg = text.includes("<svg") || (text.trimStart().startsWith("<?xml") && text.includes("svg"));
    return {
      ok: false,
      reason: svg ? "SVG logos are not accepted; upload a PNG, JPEG, WebP or GIF image" : "it is not a PNG, JPEG, WebP or GIF image",
    };
  }
  const markup = new MarkupScanner(type.label).push(head);
  if (markup) return { ok: false, reason: markup };
  return { ok: true, contentType: type.contentType, extension: type.extensions[0], label: type.label, markupScan: { label: type.label } };
}

export const EVIDENCE_TYPES: FileType[] = [
  PDF,
  PNG,
  JPEG,
  CSV,
  JSON_FILE,
  ooxml("Excel workbook", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/"),
  ole("Excel 97–2003 workbook", ".xls", "application/vnd.ms-excel"),
  ooxml("Word document", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word/"),
  ole("Word 97–2003 document", ".doc", "application/msword"),
];

/** Checks a file against a list of allowed types by extension, content and the absence of a second type. */
function checkTyped(types: FileType[], head: Buffer, filename: string, size: number): Verdict {
  const extension = extensionOf(filename);
  const type = types.find((t) => t.extensions.includes(extension));
  if (!type) {
    const allowed = types.flatMap((t) => t.extensions).join(", ");
    return {
      ok: false,
      reason: extension ? `${extension} files are not accepted (allowed: ${allowed})` : `it has no file extension (allowed: ${allowed})`,
    };
  }
  const matched = type.matches(head, size);
  if (matched !== true) return { ok: false, reason: matched };
  const scanned = scansForMarkup(type);
  if (scanned) {
    const markup = new MarkupScanner(type.label).push(head);
    if (markup) return { ok: false, reason: markup };
  }
  return { ok: true, contentType: type.contentType, extension, label: type.label, markupScan: scanned ? { label: type.label } : null };
}

/**
 * HTML or script inside a binary type is the mark of a polyglot (a file that a
 * browser would also render as a page). Text types are judged by their own
 * check; markup in a CSV cell is data, and downloads are attachments anyway.
 */
function scansForMarkup(type: FileType): boolean {
  return type.contentType !== CSV.contentType && type.contentType !== JSON_FILE.contentType;
}

const MARKUP: readonly (readonly [string, string])[] = [
  ["<html", "an HTML page"],
  ["<!doctype html", "an HTML page"],
  ["<script", "a script"],
  ["<svg", "an SVG image"],
  ["<iframe", "an HTML frame"],
];
const LONGEST_NEEDLE = Math.max(...MARKUP.map(([needle]) => needle.length));

/**
 * Looks for markup in a file fed chunk by chunk, so the whole file is checked
 * in constant memory; a needle cut between two chunks is still found.
 * `push` returns the reason to refuse the file, or null.
 */
export class MarkupScanner {
  private tail = "";
  constructor(private readonly label: string) {}

  push(chunk: Buffer): string | null {
    const text = this.tail + chunk.toString("latin1").toLowerCase();
    for (const [needle, what] of MARKUP) {
      if (text.includes(needle)) return `it is ${article(this.label)} ${this.label} that also carries ${what}`;
    }
    this.tail = text.slice(-(LONGEST_NEEDLE - 1));
    return null;
  }
}

export const UPLOAD_RULES: Record<UploadPurpose, Rule> = {
  csv: {
    maxBytes: CSV_MAX_BYTES,
    check: (head, filename, size) => {
      const extension = extensionOf(filename);
      if (![".csv", ".txt", ".tsv"].includes(extension)) {
        return { ok: false, reason: `source files are .csv (or .txt, .tsv), not ${extension || "a file without extension"}` };
      }
      const verdict = checkTyped([{ ...CSV, extensions: [extension] }], head, filename, size);
      return verdict.ok ? { ...verdict, contentType: "text/csv" } : verdict;
    },
  },
  evidence: {
    maxBytes: EVIDENCE_MAX_BYTES,
    check: (head, filename, size) => checkTyped(EVIDENCE_TYPES, head, filename, size),
  },
  logo: {
    maxBytes: LOGO_MAX_BYTES,
    check: (head, _filename, size) => checkLogo(head, size),
  },
};

export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf(".");
  return dot > 0 ? filename.slice(dot).toLowerCase() : "";
}

function article(label: string) {
  return /^[aeiou]/i.test(label) ? "an" : "a";
}

function isUtf8Text(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  // A multi-byte character cut at the end of the head is not an error.
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const bad = (text.match(/\uFFFD/g) ?? []).length;
  return bad <= 1;
}

/** File names of the ZIP local file headers that lie within `head`. */
export function zipEntryNames(head: Buffer): string[] {
  const names: string[] = [];
  let offset = 0;
  while (offset + 30 <= head.length && head.readUInt32LE(offset) === 0x04034b50) {
    const flags = head.readUInt16LE(offset + 6);
    const compressedSize = head.readUInt32LE(offset + 18);
    const nameLength = head.readUInt16LE(offset + 26);
    const extraLength = head.readUInt16LE(offset + 28);
    if (offset + 30 + nameLength > head.length) break;
    names.push(head.subarray(offset + 30, offset + 30 + nameLength).toString("utf8"));
    // With a data descriptor (bit 3) the size is not in the header; stop there.
    if (flags & 0x08) break;
    offset += 30 + nameLength + extraLength + compressedSize;
  }
  return names;
}

/** The evidence type a file name claims (before its content is seen), or null when the extension is not accepted. */
export function evidenceTypeFor(filename: string): { contentType: string; label: string } | null {
  const type = EVIDENCE_TYPES.find((t) => t.extensions.includes(extensionOf(filename)));
  return type ? { contentType: type.contentType, label: type.label } : null;
}
