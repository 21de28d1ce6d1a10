import { describe, expect, it } from "vitest";
import { HEAD_BYTES, MarkupScanner, UPLOAD_RULES, zipEntryNames } from "@/lib/uploads/rules";
import { filenameSchema } from "@/lib/uploads/service";

const check = (filename: string, content: Buffer | string) => {
  const head = Buffer.from(content);
  return UPLOAD_RULES.evidence.check(head, filename, head.length);
};

/** ZIP local file headers (stored, no compression) for the given entries. */
function zip(entries: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, data] of Object.entries(entries)) {
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(Buffer.byteLength(name), 26);
    parts.push(header, Buffer.from(name), Buffer.from(data));
  }
  return Buffer.concat(parts);
}

const PDF = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  Buffer.from("IHDR"),
  Buffer.alloc(17),
]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("\0\x10JFIF\0")]);
const OLE = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
const DOCX = zip({ "[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>", "word/document.xml": "<w:document/>" });
const XLSX = zip({ "[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>" });

describe("evidence file types", () => {
  it.each([
    ["report.pdf", PDF, "application/pdf"],
    ["screen.png", PNG, "image/png"],
    ["photo.JPG", JPEG, "image/jpeg"],
    ["photo.jpeg", JPEG, "image/jpeg"],
    ["access.csv", "user,role\nalice,admin\n", "text/csv"],
    ["export.json", '{"users":[{"id":1}]}', "application/json"],
    ["review.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    ["review.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    ["old.xls", OLE, "application/vnd.ms-excel"],
    ["old.doc", OLE, "application/msword"],
  ])("accepts %s as %s", (name, content, type) => {
    expect(check(name, content)).toMatchObject({ ok: true, contentType: type });
  });

  it.each([
    ["an HTML page named .pdf", "invoice.pdf", "<!DOCTYPE html><html><script>alert(1)</script></html>", /not a PDF/],
    ["a PDF that also carries an HTML page", "poly.pdf", `${PDF}<html><body><script>x()</script>`, /PDF that also carries an HTML page/],
    ["a PNG carrying a script", "poly.png", Buffer.concat([PNG, Buffer.from("<script>alert(1)</script>")]), /also carries a script/],
    ["a PDF named .png", "image.png", PDF, /not a PNG/],
    ["a Word file named .xlsx", "sheet.xlsx", DOCX, /another kind than Excel/],
    ["a plain ZIP named .docx", "doc.docx", zip({ "readme.txt": "hi" }), /ZIP archive but not a Word document/],
    ["an executable", "tool.exe", "MZ\x90\0", /\.exe files are not accepted/],
    ["a file without extension", "README", "hello", /no file extension/],
    ["broken JSON", "data.json", '{"a":', /not valid JSON/],
    ["a binary named .csv", "data.csv", Buffer.from([0, 1, 2, 3, 0, 0]), /not usable CSV/],
    ["an SVG named .jpg", "logo.jpg", "<svg xmlns='http://www.w3.org/2000/svg'/>", /not a JPEG/],
  ])("refuses %s", (_what, name, content, reason) => {
    const verdict = check(name, content);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(reason);
  });

  it("reads the entry names of a ZIP's local headers", () => {
    expect(zipEntryNames(DOCX)).toEqual(["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
  });
});

describe("CSV source files", () => {
  it("accepts .csv/.tsv/.txt whose content is CSV and refuses anything else", () => {
    const csv = Buffer.from("externalId,name\n1,a\n");
    expect(UPLOAD_RULES.csv.check(csv, "a.csv", csv.length)).toMatchObject({ ok: true, contentType: "text/csv" });
    expect(UPLOAD_RULES.csv.check(csv, "a.txt", csv.length)).toMatchObject({ ok: true });
    expect(UPLOAD_RULES.csv.check(csv, "a.xlsx", csv.length)).toMatchObject({ ok: false });
    const zipped = zip({ "[Content_Types].xml": "x" });
    expect(UPLOAD_RULES.csv.check(zipped, "a.csv", zipped.length)).toMatchObject({ ok: false, reason: expect.stringContaining("ZIP") });
  });
});

describe("markup anywhere in a binary file", () => {
  it("is found when it is cut between two chunks, in any case, after the head", () => {
    const scanner = new MarkupScanner("PDF");
    expect(scanner.push(Buffer.alloc(HEAD_BYTES, "a"))).toBeNull();
    expect(scanner.push(Buffer.from("filler <SCR"))).toBeNull();
    expect(scanner.push(Buffer.from("IPT>alert(1)"))).toBe("it is a PDF that also carries a script");
  });

  it("is left to the text types' own checks: CSV and JSON are not scanned", () => {
    const pdf = check("a.pdf", PDF);
    expect(pdf).toMatchObject({ ok: true, markupScan: { label: "PDF" } });
    expect(check("a.csv", "a,b\n1,<script>\n")).toMatchObject({ ok: true, markupScan: null });
    expect(check("a.json", '{"html":"<html>"}')).toMatchObject({ ok: true, markupScan: null });
  });
});

describe("upload file names", () => {
  it("refuse bidirectional control characters, which make report\\u202Efdp.exe read as reportexe.pdf", () => {
    for (const c of ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]) {
      const result = filenameSchema.safeParse(`report${c}fdp.exe.pdf`);
      expect(result.success, `U+${c.codePointAt(0)!.toString(16)}`).toBe(false);
      expect(result.error!.issues[0].message).toMatch(/bidirectional control characters/);
    }
    expect(filenameSchema.parse("résumé.pdf")).toBe("résumé.pdf");
    expect(filenameSchema.parse("תקציר.pdf")).toBe("תקציר.pdf");
  });
});
