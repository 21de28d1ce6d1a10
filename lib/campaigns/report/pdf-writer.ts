/**
 * A small flowing-layout writer: headings, paragraphs, label / value lines and
 * tables that wrap their cells and break across pages, repeating the header.
 * The PDF file is written as it is laid out: each page's content stream
 * (deflated) and page dictionary are queued as bytes as soon as the page is
 * full, and `take()` hands them on, so memory does not grow with the number of
 * pages; only each object's byte offset and the page numbers are kept for the
 * xref table and the page tree written at the end. Text is set in the
 * standard Helvetica and Courier fonts (WinAnsi), which need no embedding;
 * pdf-lib supplies their metrics. A character they cannot show is printed as "?".
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { deflateSync } from "node:zlib";
import { PDFDocument, type PDFFont, StandardFonts } from "pdf-lib";

/** A4 landscape, in points: wide enough for the decisions table's seven columns. */
const PAGE: [number, number] = [841.89, 595.28];
const MARGIN = 40;
const FOOTER = 24;
const FOOTER_SIZE = 7.5;
const FOOTER_Y = MARGIN - 6;

/** Objects whose number is fixed before the first page; the pages follow from FIRST_PAGE_OBJECT. */
const OBJ = { catalog: 1, pages: 2, info: 3, fonts: [4, 5, 6], resources: 7, pageCount: 8 } as const;
const FIRST_PAGE_OBJECT = 9;

export type Column = { title: string; width: number; font?: "regular" | "bold" | "mono" };

type FontKey = "regular" | "bold" | "mono";
type FontInfo = { name: string; font: PDFFont; widths: Map<string, number>; encodable: Set<number>; codes: Map<string, string> };

export type PdfMeta = { title: string; subject: string; author: string; footer: string };

/** A PDF text string: UTF-16BE with its byte order mark, as hex, so any title survives. */
function textString(text: string): string {
  let hex = "FEFF";
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, "0").toUpperCase();
  return `<${hex}>`;
}

const pdfDate = (d: Date) => `(D:${d.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z)`;

export class PdfWriter {
  private readonly fonts: Record<FontKey, FontInfo>;
  private readonly pending: Buffer[] = [];
  /** Bytes written so far, and where each object starts (index = object number). */
  private offset = 0;
  private readonly offsets: number[] = [];
  private nextObject = FIRST_PAGE_OBJECT;
  private readonly pageRefs: number[] = [];
  private open = false;
  /**
   * The page's operators as latin1 bytes, reused page after page: the strings
   * drawn on a page die young instead of living (and being promoted) until the
   * page is full.
   */
  private ops = Buffer.allocUnsafe(1 << 18);
  private opsLength = 0;
  private y = 0;
  readonly width = PAGE[0] - 2 * MARGIN;

  private constructor(
    private readonly meta: PdfMeta,
    fonts: Record<FontKey, PDFFont>,
  ) {
    const info = (name: string, font: PDFFont): FontInfo => ({
      name,
      font,
      widths: new Map(),
      encodable: new Set(font.getCharacterSet()),
      codes: new Map(),
    });
    this.fonts = { regular: info("F1", fonts.regular), bold: info("F2", fonts.bold), mono: info("F3", fonts.mono) };
    // The binary comment tells transports the file is not text.
    this.emit(Buffer.from("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", "latin1"));
    const bases = ["Helvetica", "Helvetica-Bold", "Courier"];
    for (const [i, n] of OBJ.fonts.entries())
      this.object(n, `<< /Type /Font /Subtype /Type1 /BaseFont /${bases[i]} /Encoding /WinAnsiEncoding >>`);
    const fontRefs = Object.values(this.fonts)
      .map((f, i) => `/${f.name} ${OBJ.fonts[i]} 0 R`)
      .join(" ");
    // Every page shares one resource dictionary: thousands of pages, one set of font entries.
    this.object(OBJ.resources, `<< /Font << ${fontRefs} >> /ProcSet [/PDF /Text] >>`);
  }

  /**
   * The fonts are the standard 14, referenced by name; a throwaway pdf-lib
   * document lends their metrics and WinAnsi encoder so wrapping is exact.
   */
  static async create(meta: PdfMeta): Promise<PdfWriter> {
    const doc = await PDFDocument.create();
    const [regular, bold, mono] = await Promise.all([
      doc.embedFont(StandardFonts.Helvetica),
      doc.embedFont(StandardFonts.HelveticaBold),
      doc.embedFont(StandardFonts.Courier),
    ]);
    return new PdfWriter(meta, { regular, bold, mono });
  }

  private emit(bytes: Buffer) {
    this.pending.push(bytes);
    this.offset += bytes.length;
  }

  private object(num: number, body: string, stream?: Uint8Array) {
    this.offsets[num] = this.offset;
    if (!stream) {
      this.emit(Buffer.from(`${num} 0 obj\n${body}\nendobj\n`, "latin1"));
      return;
    }
    this.emit(Buffer.from(`${num} 0 obj\n${body}\nstream\n`, "latin1"));
    this.emit(Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength));
    this.emit(Buffer.from("\nendstream\nendobj\n", "latin1"));
  }

  /** The bytes written since the last call, for the caller to pass on (and wait on) before laying out more. */
  take(): Buffer | null {
    if (!this.pending.length) return null;
    const out = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending.length = 0;
    return out;
  }

  /** Replaces what the standard fonts cannot show, and control characters, so drawing never throws. */
  clean(text: string, key: FontKey = "regular"): string {
    const enc = this.fonts[key].encodable;
    let out = "";
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (ch === "\t") out += " ";
      else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
      else out += enc.has(cp) ? ch : "?";
    }
    return out;
  }

  textWidth(text: string, size: number, key: FontKey = "regular"): number {
    const f = this.fonts[key];
    let units = 0;
    for (const ch of text) {
      let w = f.widths.get(ch);
      if (w === undefined) {
        w = f.font.widthOfTextAtSize(ch, 1000);
        f.widths.set(ch, w);
      }
      units += w;
    }
    return (units * size) / 1000;
  }

  /** Greedy word wrap; a word longer than the line is broken where it must be. */
  wrap(text: string, size: number, width: number, key: FontKey = "regular"): string[] {
    const lines: string[] = [];
    const space = this.textWidth(" ", size, key);
    for (const raw of text.split(/\r\n?|\n/)) {
      const paragraph = this.clean(raw, key);
      let line = "";
      let lineWidth = 0;
      for (const word of paragraph.split(/ +/)) {
        const w = this.textWidth(word, size, key);
        if (line && lineWidth + space + w <= width) {
          line += ` ${word}`;
          lineWidth += space + w;
          continue;
        }
        if (line) lines.push(line);
        line = word;
        lineWidth = w;
        while (lineWidth > width && line.length > 1) {
          let cut = 1;
          while (cut < line.length - 1 && this.textWidth(line.slice(0, cut + 1), size, key) <= width) cut++;
          lines.push(line.slice(0, cut));
          line = line.slice(cut);
          lineWidth = this.textWidth(line, size, key);
        }
      }
      lines.push(line);
    }
    return lines;
  }

  private startPage() {
    this.flushPage();
    this.open = true;
    this.y = PAGE[1] - MARGIN;
    this.footer(this.pageRefs.length + 1);
  }

  /**
   * "Page n of N", right-aligned, while N is not yet known: the shared stream
   * that precedes every page's own (OBJ.pageCount, written at the end) opens a
   * graphics state shifted left by N's width and draws N at the right margin;
   * the page then draws "Page n of " ending there and restores the state.
   */
  private footer(n: number) {
    const f = this.fonts.regular;
    const label = `Page ${n} of `;
    const x = MARGIN + this.width - this.textWidth(label, FOOTER_SIZE);
    this.op(`BT /${f.name} ${FOOTER_SIZE} Tf ${x.toFixed(2)} ${FOOTER_Y} Td ${this.literal(label, "regular")} Tj ET Q`);
    this.op(
      `0.45 g BT /${f.name} ${FOOTER_SIZE} Tf ${MARGIN} ${FOOTER_Y} Td ${this.literal(this.clean(this.meta.footer), "regular")} Tj ET 0 g`,
    );
  }

  private op(line: string) {
    // Literals are escaped to ASCII, so a line is as many bytes as characters.
    if (this.opsLength + line.length + 1 > this.ops.length) {
      const grown = Buffer.allocUnsafe(2 * (this.opsLength + line.length + 1));
      this.ops.copy(grown, 0, 0, this.opsLength);
      this.ops = grown;
    }
    this.opsLength += this.ops.write(line, this.opsLength, "latin1");
    this.ops[this.opsLength++] = 0x0a;
  }

  private flushPage() {
    if (!this.open) return;
    const content = this.nextObject++;
    const page = this.nextObject++;
    // deflateSync's result can be a view of a 16 KB output chunk; a copy keeps only the page's bytes alive.
    const bytes = new Uint8Array(deflateSync(this.ops.subarray(0, this.opsLength)));
    this.object(content, `<< /Filter /FlateDecode /Length ${bytes.length} >>`, bytes);
    this.object(
      page,
      `<< /Type /Page /Parent ${OBJ.pages} 0 R /MediaBox [0 0 ${PAGE[0]} ${PAGE[1]}] /Resources ${OBJ.resources} 0 R /Contents [${OBJ.pageCount} 0 R ${content} 0 R] >>`,
    );
    this.pageRefs.push(page);
    this.opsLength = 0;
    this.open = false;
  }

  /** Room for `height` more points on this page, or a new page. */
  private ensure(height: number): boolean {
    if (!this.open || this.y - height < MARGIN + FOOTER) {
      this.startPage();
      return true;
    }
    return false;
  }

  /**
   * A PDF literal string in the font's WinAnsi codes: each character's code is
   * looked up once from pdf-lib's encoder, then reused (the decisions table
   * draws over a million strings).
   */
  private literal(text: string, key: FontKey): string {
    const f = this.fonts[key];
    let out = "(";
    for (const ch of text) {
      let code = f.codes.get(ch);
      if (code === undefined) {
        const byte = Number.parseInt(f.font.encodeText(ch).toString().slice(1, 3), 16);
        code =
          byte === 0x28 || byte === 0x29 || byte === 0x5c
            ? `\\${String.fromCharCode(byte)}`
            : byte >= 0x20 && byte < 0x7f
              ? String.fromCharCode(byte)
              : `\\${byte.toString(8).padStart(3, "0")}`;
        f.codes.set(ch, code);
      }
      out += code;
    }
    return `${out})`;
  }

  private draw(x: number, y: number, text: string, size: number, key: FontKey) {
    if (!text) return;
    this.op(`BT /${this.fonts[key].name} ${size} Tf ${x.toFixed(2)} ${y.toFixed(2)} Td ${this.literal(text, key)} Tj ET`);
  }

  private rule(y: number, grey = 0.75) {
    this.op(`${grey} G 0.5 w ${MARGIN} ${y.toFixed(2)} m ${(MARGIN + this.width).toFixed(2)} ${y.toFixed(2)} l S 0 G`);
  }

  title(text: string, sub: string) {
    this.ensure(60);
    this.y -= 20;
    this.draw(MARGIN, this.y, this.clean(text, "bold"), 20, "bold");
    this.y -= 18;
    for (const line of this.wrap(sub, 12, this.width)) {
      this.draw(MARGIN, this.y, line, 12, "regular");
      this.y -= 15;
    }
    this.y -= 6;
  }

  heading(text: string) {
    this.ensure(48);
    this.y -= 14;
    this.draw(MARGIN, this.y, this.clean(text, "bold"), 13, "bold");
    this.y -= 5;
    this.rule(this.y, 0.4);
    this.y -= 12;
  }

  subheading(text: string) {
    this.ensure(34);
    this.y -= 6;
    this.draw(MARGIN, this.y, this.clean(text, "bold"), 10.5, "bold");
    this.y -= 14;
  }

  paragraph(text: string, size = 9, key: FontKey = "regular") {
    for (const line of this.wrap(text, size, this.width, key)) {
      this.ensure(size + 3);
      this.draw(MARGIN, this.y, line, size, key);
      this.y -= size + 3;
    }
    this.y -= 4;
  }

  /** "Label   value" lines, the value wrapped beside its label. */
  fields(rows: [string, string][], labelWidth = 150, valueFont: FontKey = "regular") {
    const size = 9;
    for (const [label, value] of rows) {
      const lines = this.wrap(value || "—", size, this.width - labelWidth, valueFont);
      lines.forEach((line, i) => {
        this.ensure(size + 3);
        if (i === 0) this.draw(MARGIN, this.y, this.clean(label, "bold"), size, "bold");
        this.draw(MARGIN + labelWidth, this.y, line, size, valueFont);
        this.y -= size + 3;
      });
    }
    this.y -= 4;
  }

  /**
   * A table that fills pages as rows arrive: each cell wraps within its
   * column, a row never splits across pages, and the header repeats on each.
   */
  table(columns: Column[], size = 7.5) {
    const lineHeight = size + 2;
    const scale = this.width / columns.reduce((n, c) => n + c.width, 0);
    const widths = columns.map((c) => c.width * scale);
    const xs = widths.map((_, i) => MARGIN + widths.slice(0, i).reduce((n, w) => n + w, 0));
    const header = () => {
      const h = lineHeight + 5;
      this.op(`0.92 g ${MARGIN} ${(this.y - h + lineHeight).toFixed(2)} ${this.width.toFixed(2)} ${h.toFixed(2)} re f 0 g`);
      for (const [i, c] of columns.entries()) this.draw(xs[i] + 2, this.y - 1, this.clean(c.title, "bold"), size, "bold");
      this.y -= h;
    };
    let headed = false;
    return {
      row: (cells: string[]) => {
        const wrapped = cells.map((cell, i) => this.wrap(cell, size, widths[i] - 4, columns[i].font ?? "regular"));
        const height = Math.max(...wrapped.map((w) => w.length)) * lineHeight + 3;
        const fresh = this.ensure(height + (headed ? 0 : lineHeight + 5));
        if (fresh || !headed) {
          header();
          headed = true;
        }
        for (const [i, lines] of wrapped.entries()) {
          for (const [j, line] of lines.entries()) this.draw(xs[i] + 2, this.y - j * lineHeight, line, size, columns[i].font ?? "regular");
        }
        this.y -= height;
        this.rule(this.y + lineHeight - 1, 0.85);
      },
      end: () => {
        this.y -= 8;
      },
    };
  }

  space(points: number) {
    this.y -= points;
  }

  /** Finishes the document: the page count, the page tree, metadata, catalog, xref table and trailer. */
  end(): Buffer {
    if (!this.pageRefs.length) this.startPage();
    this.flushPage();
    const f = this.fonts.regular;
    const total = String(this.pageRefs.length);
    const shift = this.textWidth(total, FOOTER_SIZE);
    const count = Buffer.from(
      `q 1 0 0 1 ${(-shift).toFixed(2)} 0 cm 0.45 g BT /${f.name} ${FOOTER_SIZE} Tf ${(MARGIN + this.width).toFixed(2)} ${FOOTER_Y} Td ${this.literal(total, "regular")} Tj ET\n`,
      "latin1",
    );
    this.object(OBJ.pageCount, `<< /Length ${count.length} >>`, count);
    this.object(OBJ.pages, `<< /Type /Pages /Count ${this.pageRefs.length} /Kids [${this.pageRefs.map((n) => `${n} 0 R`).join(" ")}] >>`);
    const now = pdfDate(new Date());
    const m = this.meta;
    this.object(
      OBJ.info,
      `<< /Title ${textString(m.title)} /Subject ${textString(m.subject)} /Author ${textString(m.author)} /Creator ${textString("SyncLedger")} /Producer ${textString("SyncLedger")} /CreationDate ${now} /ModDate ${now} >>`,
    );
    this.object(OBJ.catalog, `<< /Type /Catalog /Pages ${OBJ.pages} 0 R >>`);
    const xref = this.offset;
    const size = this.nextObject;
    let table = `xref\n0 ${size}\n0000000000 65535 f\r\n`;
    for (let n = 1; n < size; n++) table += `${String(this.offsets[n]).padStart(10, "0")} 00000 n\r\n`;
    const id = randomBytes(16).toString("hex");
    table += `trailer\n<< /Size ${size} /Root ${OBJ.catalog} 0 R /Info ${OBJ.info} 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${xref}\n%%EOF\n`;
    this.emit(Buffer.from(table, "latin1"));
    return this.take()!;
  }
}
