import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { attachmentDisposition, inspect, sanitiseName } from './attachment-inspection';

const drain = async (source: AsyncIterable<Buffer>) => {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
};

describe('attachments: what a file is, read from its bytes', () => {
  it('passes the bytes on unchanged, however they are cut, with their size and sha256', async () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(200_000, 7)]);
    const pieces = Array.from({ length: 40 }, (_, i) => bytes.subarray(i * 5000, (i + 1) * 5000 + (i === 39 ? 9 : 0)));
    const inspected = inspect(Readable.from(pieces), 'a.pdf', 1_000_000);
    expect(Buffer.compare(await drain(inspected.bytes), bytes)).toBe(0);
    expect(inspected.result()).toEqual({ mediaType: 'application/pdf', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  });

  it('refuses past the limit (TooLarge), a type not allowed (UnsupportedType) before passing a byte on, and text that is not UTF-8', async () => {
    await expect(drain(inspect(Readable.from([Buffer.from('%PDF-'), Buffer.alloc(100)]), 'a.pdf', 50).bytes)).rejects.toMatchObject({ code: 'TooLarge' });
    await expect(drain(inspect(Readable.from([Buffer.from('GIF89a'), Buffer.alloc(100)]), 'a.gif', 1000).bytes)).rejects.toMatchObject({ code: 'UnsupportedType' });
    await expect(drain(inspect(Readable.from([Buffer.from('just text')]), 'a.md', 1000).bytes)).rejects.toMatchObject({ code: 'UnsupportedType' });
    // Valid at first, broken past the sniffing window: still refused.
    await expect(drain(inspect(Readable.from([Buffer.alloc(70_000, 0x61), Buffer.from([0xc3])]), 'a.csv', 100_000).bytes)).rejects.toMatchObject({ code: 'UnsupportedType' });
    const ok = inspect(Readable.from([Buffer.from('a,b\n1,2\n')]), 'Data.CSV', 1000);
    await drain(ok.bytes);
    expect(ok.result().mediaType).toBe('text/csv');
  });

  it('names are made safe: no path, no controls or bidi overrides, reserved names and characters defused, the sniffed extension', () => {
    expect(sanitiseName('C:\\Users\\me\\Plan.pdf', 'application/pdf')).toBe('Plan.pdf');
    expect(sanitiseName('../../etc/passwd', 'text/plain')).toBe('passwd.txt');
    expect(sanitiseName('evil\u202egnp.pdf', 'application/pdf')).toBe('evilgnp.pdf');
    expect(sanitiseName('a<b>:"c"?.docx', 'application/pdf')).toBe('a_b___c__.docx.pdf');
    expect(sanitiseName('CON.txt', 'text/plain')).toBe('_CON.txt');
    expect(sanitiseName('photo.JPEG', 'image/jpeg')).toBe('photo.jpeg');
    expect(sanitiseName('   ', 'image/png')).toBe('attachment.png');
    expect(sanitiseName(undefined, 'application/pdf')).toBe('attachment.pdf');
    expect(sanitiseName(`${'x'.repeat(500)}.pdf`, 'application/pdf')).toHaveLength(200);
  });

  it('Content-Disposition: attachment, an ASCII fallback and the UTF-8 name (RFC 6266, RFC 8187)', () => {
    expect(attachmentDisposition('Plan.pdf')).toBe(`attachment; filename="Plan.pdf"; filename*=UTF-8''Plan.pdf`);
    expect(attachmentDisposition('Café "100%".pdf')).toBe(`attachment; filename="Caf_ _100__.pdf"; filename*=UTF-8''Caf%C3%A9%20%22100%25%22.pdf`);
  });
});
