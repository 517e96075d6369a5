/** CSV downloads streamed row by row, with cells a spreadsheet cannot run as formulas. */
import { Readable, pipeline as streamPipeline } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { Logger } from '@nestjs/common';
import type { Response } from 'express';

const logger = new Logger('Downloads');

/** A cell: text, a number, a yes/no, or nothing (an empty cell). */
export type CsvCell = string | number | boolean | null;

/**
 * A download: its file name, its header row and its rows, read lazily (after the caller's access
 * was checked, so a refusal is still a 404 and not half a file).
 */
export interface CsvTable {
  filename: string;
  columns: string[];
  rows: AsyncIterable<CsvCell[]> | Iterable<CsvCell[]>;
}

/**
 * A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or carriage
 * return before one) as a formula: such text gets a single quote in front (OWASP's advice), so it
 * reads as text. Numbers are numbers and keep their sign.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Only names of our own making go into the header: letters, digits, dots and dashes. */
const safeFilename = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, '-');

/** A download ready to send: its headers, and its body as it is read. */
export interface CsvFile {
  headers: Record<string, string>;
  body: Readable;
}

/**
 * The table as RFC 4180 CSV (CRLF line ends, fields with commas, quotes or line breaks in double
 * quotes, quotes doubled), UTF-8 with a byte-order mark so that Excel reads it as UTF-8, as an
 * attachment. Rows are turned into text as they are read, and as fast as the client takes them.
 * A failure part way is logged and ends the body with that error (the client's file is cut off).
 */
export function csvFile(table: CsvTable): CsvFile {
  const csv = stringify({
    header: true,
    columns: table.columns,
    bom: true,
    record_delimiter: 'windows',
    // Line breaks of either kind are quoted (the library quotes only its own record delimiter), and
    // so are cells with space at either end, which some readers trim.
    quoted_match: [/[\r\n]/, /^\s|\s$/],
    cast: {
      string: (value) => neutraliseFormula(value),
      boolean: (value) => (value ? 'yes' : 'no'),
      number: (value) => (Number.isFinite(value) ? String(value) : ''),
    },
  });
  const body = streamPipeline(Readable.from(table.rows), csv, (error) => {
    if (error && (error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      logger.warn(`The download ${table.filename} stopped part way: ${error.message}`);
    }
  });
  return {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${safeFilename(table.filename)}"`,
      'x-content-type-options': 'nosniff',
    },
    body,
  };
}

/** Sends the table as a CSV download through Express (the web app). */
export async function sendCsv(res: Response, table: CsvTable): Promise<void> {
  await sendDownload(res, csvFile(table));
}

/**
 * Streams a download (a CSV, an attachment's bytes) through Express with its headers. An error before
 * the first byte is thrown, to be answered as any other (not as a file to save); once the header is
 * sent nothing else can be said (an error page then would be a second answer): the file is cut off, and
 * why is logged unless the person went away.
 */
export async function sendDownload(res: Response, file: { headers: Record<string, string>; body: NodeJS.ReadableStream }): Promise<void> {
  res.status(200);
  for (const [name, value] of Object.entries(file.headers)) res.setHeader(name, value);
  try {
    await pipeline(file.body, res);
  } catch (error) {
    if (!res.headersSent) {
      res.removeHeader('Content-Disposition');
      res.removeHeader('Content-Type');
      throw error;
    }
    if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.warn(`A download stopped part way: ${(error as Error).message}`);
  }
}
