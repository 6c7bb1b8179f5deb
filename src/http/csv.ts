import { once } from 'node:events';
import type { Response } from 'express';

/**
 * CSV exports, streamed: rows are read from the database a batch at a time
 * through the list's own keyset query (so an export has exactly the page's
 * filters) and written as they come, with backpressure. Nothing holds the
 * whole export in memory.
 */

/** Rows read per query while exporting. */
export const CSV_BATCH = 1_000;

// A spreadsheet runs a cell that starts with one of these as a formula
// (OWASP's "CSV injection"), so such a cell gets a leading apostrophe.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: formula starts neutralised, quoted when it holds a comma, quote or line break. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvLine = (cells: readonly unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/** A column of an export: its header, and how a row gives its cell. */
export interface CsvColumn<Row> {
  header: string;
  cell: (row: Row) => unknown;
}

/**
 * Every row of a keyset-paginated list, a batch at a time: `fetchAfter` is the
 * list's query (limit CSV_BATCH + 1, as the pages read it), `keyOf` the key
 * the next batch starts after.
 */
export async function* keysetBatches<Row, Key>(fetchAfter: (after: Key | undefined, limit: number) => Promise<Row[]>, keyOf: (row: Row) => Key, start?: Key) {
  let after = start;
  for (;;) {
    const rows = await fetchAfter(after, CSV_BATCH);
    const batch = rows.slice(0, CSV_BATCH);
    if (batch.length > 0) yield batch;
    if (rows.length <= CSV_BATCH) return;
    after = keyOf(batch[batch.length - 1]!);
  }
}

/**
 * Waits until the response can take more, or the client went away. The wait
 * that loses is taken off: left, each wait of a long export added a listener.
 */
async function drainedOrClosed(res: Response): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: done.signal }), once(res, 'close', { signal: done.signal })]);
  } finally {
    done.abort();
  }
}

/**
 * Streams `batches` to the client as `filename` (UTF-8 with a byte order mark,
 * which Excel needs to read accents right). A client that goes away stops the
 * reading; a database error after the first bytes cuts the download short
 * rather than end it looking complete.
 */
export async function sendCsv<Row>(res: Response, filename: string, columns: CsvColumn<Row>[], batches: AsyncIterable<Row[]>): Promise<void> {
  res.status(200);
  res.type('text/csv; charset=utf-8');
  res.attachment(filename);
  res.write(`\uFEFF${csvLine(columns.map((c) => c.header))}`);
  try {
    for await (const batch of batches) {
      if (res.destroyed) return;
      const chunk = batch.map((row) => csvLine(columns.map((c) => c.cell(row)))).join('');
      if (!res.write(chunk)) await drainedOrClosed(res);
    }
    res.end();
  } catch (error) {
    res.destroy(error as Error);
    throw error;
  }
}
