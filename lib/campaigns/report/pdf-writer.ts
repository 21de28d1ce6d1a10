/**
 * A small flowing-layout writer over pdf-lib: headings, paragraphs, label /
 * value lines and tables that wrap their cells and break across pages,
 * repeating the header. Each page's content stream is written as raw PDF
 * operators and deflated as soon as the page is full, so a report of
 * thousands of pages holds compressed bytes per page, not an object per
 * drawn string. Text is set in the standard Helvetica fonts (WinAnsi); a
 * character they cannot show is printed as "?".
 */
import "server-only";
import { deflateSync } from "node:zlib";
import { PDFDocument, type PDFFont, PDFName, type PDFPage, PDFRawStream, type PDFRef, StandardFonts } from "pdf-lib";

/** A4 landscape, in points: wide enough for the decisions table's seven columns. */
const PAGE: [number, number] = [841.89, 595.28];
const MARGIN = 40;
const FOOTER = 24;

export type Column = { title: string; width: number; font?: "regular" | "bold" | "mono" };

type FontKey = "regular" | "bold" | "mono";
type FontInfo = { name: string; font: PDFFont; widths: Map<string, number>; encodable: Set<number>; codes: Map<string, string> };

export class PdfWriter {
  private readonly fonts: Record<FontKey, FontInfo>;
  private page: PDFPage | null = null;
  private resources: PDFRef | null = null;
  private ops: string[] = [];
  private y = 0;
  readonly width = PAGE[0] - 2 * MARGIN;

  private constructor(
    private readonly doc: PDFDocument,
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
  }

  static async create(meta: { title: string; subject: string; author: string }): Promise<PdfWriter> {
    const doc = await PDFDocument.create();
    doc.setTitle(meta.title);
    doc.setSubject(meta.subject);
    doc.setAuthor(meta.author);
    doc.setProducer("SyncLedger");
    doc.setCreator("SyncLedger");
    const [regular, bold, mono] = await Promise.all([
      doc.embedFont(StandardFonts.Helvetica),
      doc.embedFont(StandardFonts.HelveticaBold),
      doc.embedFont(StandardFonts.Courier),
    ]);
    return new PdfWriter(doc, { regular, bold, mono });
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
    this.page = this.doc.addPage(PAGE);
    // Every page shares one resource dictionary: thousands of pages, one set of font entries.
    this.resources ??= this.doc.context.register(
      this.doc.context.obj({ Font: Object.fromEntries(Object.values(this.fonts).map((f) => [f.name, f.font.ref])) }),
    );
    this.page.node.set(PDFName.of("Resources"), this.resources);
    this.y = PAGE[1] - MARGIN;
  }

  private flushPage() {
    if (!this.page) return;
    this.page.node.addContentStream(this.rawStream(this.ops.join("\n")));
    this.ops = [];
  }

  private rawStream(content: string) {
    // deflateSync's result can be a view of a 16 KB output chunk; a copy keeps only the page's bytes alive.
    const bytes = new Uint8Array(deflateSync(Buffer.from(content, "latin1")));
    const stream = PDFRawStream.of(this.doc.context.obj({ Filter: "FlateDecode", Length: bytes.length }), bytes);
    return this.doc.context.register(stream);
  }

  /** Room for `height` more points on this page, or a new page. */
  private ensure(height: number): boolean {
    if (!this.page || this.y - height < MARGIN + FOOTER) {
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
    this.ops.push(`BT /${this.fonts[key].name} ${size} Tf ${x.toFixed(2)} ${y.toFixed(2)} Td ${this.literal(text, key)} Tj ET`);
  }

  private rule(y: number, grey = 0.75) {
    this.ops.push(`${grey} G 0.5 w ${MARGIN} ${y.toFixed(2)} m ${(MARGIN + this.width).toFixed(2)} ${y.toFixed(2)} l S 0 G`);
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
      this.ops.push(`0.92 g ${MARGIN} ${(this.y - h + lineHeight).toFixed(2)} ${this.width.toFixed(2)} ${h.toFixed(2)} re f 0 g`);
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

  /** Finishes the document: a footer on every page ("Page n of N"), then the bytes. */
  async save(footer: string): Promise<Uint8Array> {
    this.flushPage();
    this.page = null;
    const pages = this.doc.getPages();
    const left = this.clean(footer);
    pages.forEach((page, i) => {
      const f = this.fonts.regular;
      const label = `Page ${i + 1} of ${pages.length}`;
      const x = MARGIN + this.width - this.textWidth(label, 7.5);
      const y = MARGIN - 6;
      const ops = [
        `0.45 g BT /${f.name} 7.5 Tf ${MARGIN} ${y} Td ${this.literal(left, "regular")} Tj ET`,
        `BT /${f.name} 7.5 Tf ${x.toFixed(2)} ${y} Td ${this.literal(label, "regular")} Tj ET 0 g`,
      ].join("\n");
      page.node.addContentStream(this.rawStream(ops));
    });
    return this.doc.save({ useObjectStreams: true });
  }
}
