import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { copyRows } from './attachment-store';

/** COPY's binary rows read back: each row's id, seq and data (the format PostgreSQL reads). */
function readRows(copy: Buffer): { id: string; seq: number; data: Buffer }[] {
  expect(copy.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  expect(copy.readInt32BE(11)).toBe(0);
  expect(copy.readInt32BE(15)).toBe(0);
  const rows: { id: string; seq: number; data: Buffer }[] = [];
  let at = 19;
  for (;;) {
    const fields = copy.readInt16BE(at);
    at += 2;
    if (fields === -1) break;
    expect(fields).toBe(3);
    expect(copy.readInt32BE(at)).toBe(16);
    const hex = copy.subarray(at + 4, at + 20).toString('hex');
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    at += 20;
    expect(copy.readInt32BE(at)).toBe(4);
    const seq = copy.readInt32BE(at + 4);
    const length = copy.readInt32BE(at + 8);
    at += 12;
    rows.push({ id, seq, data: copy.subarray(at, at + length) });
    at += length;
  }
  expect(at).toBe(copy.length);
  return rows;
}

describe('attachments in PostgreSQL: the COPY of their chunks', () => {
  it('cuts the bytes into rows of exactly the chunk size (the last shorter), numbered from 0, however they come', async () => {
    const id = randomUUID();
    const bytes = randomBytes(2 * 1000 + 300);
    const pieces = Array.from({ length: 23 }, (_, i) => bytes.subarray(i * 100, (i + 1) * 100));
    const out: Buffer[] = [];
    for await (const part of copyRows(id, Readable.from(pieces), 1000)) out.push(part);
    const rows = readRows(Buffer.concat(out));
    expect(rows.map((r) => [r.id, r.seq, r.data.length])).toEqual([
      [id, 0, 1000],
      [id, 1, 1000],
      [id, 2, 300],
    ]);
    expect(Buffer.compare(Buffer.concat(rows.map((r) => r.data)), bytes)).toBe(0);
  });

  it('passes the upload’s pieces on as they came, never copied together (a row’s bytes are written as they arrived)', async () => {
    const pieces = [randomBytes(700), randomBytes(700)];
    const out: Buffer[] = [];
    for await (const part of copyRows(randomUUID(), Readable.from(pieces), 1000)) out.push(part);
    const data = out.filter((part) => part.length >= 300);
    expect(data.map((part) => part.length)).toEqual([700, 300, 400]);
    expect(data.every((part, i) => part.buffer === pieces[i === 0 ? 0 : 1].buffer)).toBe(true);
  });

  it('an empty upload is the signature and the end, no row', async () => {
    const out: Buffer[] = [];
    for await (const part of copyRows(randomUUID(), Readable.from([]), 1000)) out.push(part);
    expect(readRows(Buffer.concat(out))).toEqual([]);
  });
});
