/**
 * Streamed exports: text lines pulled as the client reads, batched into ~64 KB
 * chunks, so memory stays flat whatever the size of the export; and CSV lines
 * whose cells a spreadsheet cannot run as formulas.
 */
import { stringify as stringifyCsv } from "csv-stringify/sync";

/** Cells that a spreadsheet would run as a formula get a leading apostrophe. */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV line, each cell neutralised. */
export function csvLine(cells: readonly unknown[]): string {
  return stringifyCsv([cells.map((c) => neutraliseFormula(String(c)))]);
}

/** One line per row, pulled as the client reads. */
export function lineStream<T>(rows: AsyncIterable<T>, toLine: (row: T) => string, header = ""): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = rows[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (header) controller.enqueue(encoder.encode(header));
    },
    async pull(controller) {
      let chunk = "";
      // Batch lines into ~64 KB chunks to keep per-chunk overhead low.
      while (chunk.length < 65536) {
        const next = await iterator.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += toLine(next.value);
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await iterator.return?.(undefined);
    },
  });
}

/**
 * A CSV file (BOM, header row, a line per row). The first row is read before the
 * response starts, so a failing query answers with an error status, not a cut-off file.
 */
export async function csvStream<T>(
  columns: readonly string[],
  rows: AsyncGenerator<T>,
  cells: (row: T) => readonly unknown[],
): Promise<ReadableStream<Uint8Array>> {
  const first = await rows.next();
  async function* all() {
    if (first.done) return;
    yield first.value;
    yield* rows;
  }
  return lineStream(all(), (row) => csvLine(cells(row)), `\uFEFF${csvLine(columns)}`);
}
