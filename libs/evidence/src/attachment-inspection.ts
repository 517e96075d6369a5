/**
 * What an upload is, read from its bytes as they stream: the type sniffed from its first bytes
 * (file-type), its size against the limit, its SHA-256, and for text (which has no magic bytes) that
 * it is UTF-8 without NULs. Nothing here keeps more than the sniffing window in memory.
 */
import { createHash } from 'node:crypto';
import { TextDecoder } from 'node:util';
import { fileTypeFromBuffer } from 'file-type';
import { TooLarge, UnsupportedType } from '@app/domain';

/** The types accepted, by the media type file-type names, with the extension a download gets. */
export const ALLOWED_TYPES: Readonly<Record<string, { ext: string; label: string }>> = {
  'application/pdf': { ext: 'pdf', label: 'PDF' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { ext: 'docx', label: 'Word document' },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { ext: 'xlsx', label: 'Excel spreadsheet' },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': { ext: 'pptx', label: 'PowerPoint presentation' },
  'application/vnd.oasis.opendocument.text': { ext: 'odt', label: 'OpenDocument text' },
  'application/vnd.oasis.opendocument.spreadsheet': { ext: 'ods', label: 'OpenDocument spreadsheet' },
  'image/png': { ext: 'png', label: 'PNG image' },
  'image/jpeg': { ext: 'jpg', label: 'JPEG image' },
  'text/csv': { ext: 'csv', label: 'CSV' },
  'text/plain': { ext: 'txt', label: 'plain text' },
};

/** Text has no magic bytes: by the declared extension, once the bytes prove to be UTF-8 without NULs. */
const TEXT_BY_EXTENSION: Readonly<Record<string, string>> = { csv: 'text/csv', txt: 'text/plain' };

/**
 * How many first bytes the type is sniffed from. file-type needs 4,100 for most types; an Office
 * document is a zip whose entries it walks (its [Content_Types].xml, its word/ or xl/ folder), which
 * a few tens of kilobytes hold.
 */
export const SNIFF_BYTES = 64 * 1024;

export const REFUSED_TYPE = `Only ${Object.values(ALLOWED_TYPES)
  .map((t) => t.label)
  .join(', ')
  .replace(/, ([^,]*)$/, ' or $1')} files are accepted (the type is read from the file’s bytes, not its name).`;

/** What the bytes turned out to be, once all have streamed through. */
export interface Inspected {
  mediaType: string;
  bytes: number;
  sha256: string;
}

/** The extension of a file name, lower-cased ('' when none). */
export const extensionOf = (name: string): string => /\.([A-Za-z0-9]{1,10})$/.exec(name)?.[1]?.toLowerCase() ?? '';

/**
 * The bytes of `source`, passed on as they come (the sniffing window first, in one piece), while
 * counting, hashing and checking them: TooLarge past `maxBytes`, UnsupportedType when the sniffed
 * type is not allowed (before a byte is passed on) or text proves not to be. `result()` gives what
 * they were once the generator has ended.
 */
export function inspect(source: AsyncIterable<Buffer | Uint8Array | string>, declaredName: string, maxBytes: number): { bytes: AsyncGenerator<Buffer>; result(): Inspected } {
  const hash = createHash('sha256');
  let total = 0;
  let mediaType: string | undefined;
  let done = false;
  const tooLarge = () => new TooLarge(`The file is larger than the limit of ${formatBytes(maxBytes)}.`);
  async function* run(): AsyncGenerator<Buffer> {
    let head: Buffer[] = [];
    let headBytes = 0;
    let text: TextDecoder | undefined;
    const checkText = (chunk: Buffer, last: boolean) => {
      if (!text) return;
      try {
        if (chunk.includes(0)) throw new Error('NUL');
        text.decode(chunk, { stream: !last });
      } catch {
        throw new UnsupportedType(`${REFUSED_TYPE} This ${extensionOf(declaredName).toUpperCase()} file is not UTF-8 text.`);
      }
    };
    const decide = async (): Promise<Buffer> => {
      const first = Buffer.concat(head, headBytes);
      head = [];
      mediaType = await sniff(first, declaredName);
      if (mediaType.startsWith('text/')) text = new TextDecoder('utf-8', { fatal: true });
      return first;
    };
    for await (const piece of source) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      total += chunk.length;
      if (total > maxBytes) throw tooLarge();
      hash.update(chunk);
      if (mediaType === undefined) {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes < SNIFF_BYTES) continue;
        const first = await decide();
        checkText(first, false);
        yield first;
        continue;
      }
      checkText(chunk, false);
      yield chunk;
    }
    if (mediaType === undefined) {
      const first = await decide();
      checkText(first, true);
      if (first.length) yield first;
    } else checkText(Buffer.alloc(0), true);
    done = true;
  }
  return {
    bytes: run(),
    result: () => {
      if (!done || mediaType === undefined) throw new Error('the upload has not been read to its end');
      return { mediaType, bytes: total, sha256: hash.digest('hex') };
    },
  };
}

/** The allowed type of these first bytes, or UnsupportedType. */
export async function sniff(first: Buffer, declaredName: string): Promise<string> {
  if (!first.length) throw new UnsupportedType('The file is empty.');
  const found = await fileTypeFromBuffer(first);
  if (found) {
    if (ALLOWED_TYPES[found.mime]) return found.mime;
    throw new UnsupportedType(`${REFUSED_TYPE} This one is ${found.ext.toUpperCase()} (${found.mime}).`);
  }
  const text = TEXT_BY_EXTENSION[extensionOf(declaredName)];
  if (text) return text;
  throw new UnsupportedType(REFUSED_TYPE);
}

/** 20 MB, 512 KB, 300 bytes: as the limit and the list say it (decimal units, as people read them). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${Number((bytes / 1_000_000).toFixed(1))} MB`;
  if (bytes >= 1000) return `${Number((bytes / 1000).toFixed(1))} KB`;
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
const MAX_NAME = 200;

/**
 * A file name safe to keep, show and send back: the last part of a path, NFC, without control,
 * format (bidirectional overrides) or reserved characters, spaces collapsed, at most MAX_NAME
 * characters, ending with the sniffed type's extension (a PDF named `report.docx` becomes
 * `report.docx.pdf`; `notes.jpeg` stays).
 */
export function sanitiseName(given: string | undefined, mediaType: string): string {
  const ext = ALLOWED_TYPES[mediaType]?.ext ?? '';
  let name = (given ?? '').normalize('NFC');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\uFFFD]/gu, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  if (!name.isWellFormed()) name = name.toWellFormed().replace(/\uFFFD/g, '');
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  const has = extensionOf(name);
  const same = has === ext || (ext === 'jpg' && has === 'jpeg');
  let stem = same ? name.slice(0, name.length - has.length - 1) : name;
  if (!stem) stem = 'attachment';
  const suffix = ext ? `.${same ? has : ext}` : '';
  return `${[...stem].slice(0, MAX_NAME - suffix.length).join('')}${suffix}`;
}

/**
 * Content-Disposition for a download (RFC 6266): `attachment`, an ASCII fallback `filename` (other
 * characters as `_`) and the name itself in `filename*` (RFC 8187, UTF-8 percent-encoded).
 */
export function attachmentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
