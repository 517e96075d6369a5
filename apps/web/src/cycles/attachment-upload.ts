/**
 * Reading the cycle page's upload form (multipart/form-data) as it streams in, with busboy: the
 * fields sent before the file (the form's token, the subject), then the file's bytes as they come,
 * never the whole file in memory. The bytes go to the same service call as the API's upload.
 */
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { DomainError, ValidationFailed } from '@app/domain';

/** What the form sent before its file, and the file (none when no part carried a chosen file). */
export interface UploadForm {
  fields: Record<string, string>;
  file: { name: string; bytes: AsyncIterable<Buffer> } | null;
  /** Reads and drops whatever is left of the body (the rest of a refused file), so the browser hears the answer. */
  drain: () => Promise<void>;
}

/** The fields a form may send before the file, each at most this long. */
const FIELDS = new Set(['_csrf', 'subject']);
const FIELD_BYTES = 1000;

const unreadable = (error: unknown) =>
  error instanceof DomainError ? error : new ValidationFailed([{ field: 'body', message: `is not a multipart/form-data body that can be read (${(error as Error).message})` }]);

/**
 * The file's bytes as they come; a body cut off or malformed part way is the form's error (400), never
 * the parser's own. A reader that stops part way (a file past the limit) leaves the stream whole: a
 * destroyed part would stall the parser, and the rest of the body must still be read (drain) so the
 * browser hears the answer.
 */
async function* bytesOf(stream: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream.iterator({ destroyOnReturn: false })) yield chunk as Buffer;
  } catch (error) {
    throw unreadable(error);
  }
}

/** The subject select's value for each subject: `revision:3`, `option:<id>`, `progress:<seq>`, `review`. */
export function subjectValue(subject: string, subjectId: string | null): string {
  return subjectId === null ? subject : `${subject}:${subjectId}`;
}

/** The select's value back into the API's fields (the service checks them). */
export function subjectFields(value: string | undefined): { subject?: string; subjectId?: string } {
  if (!value) return {};
  const at = value.indexOf(':');
  return at < 0 ? { subject: value } : { subject: value.slice(0, at), subjectId: value.slice(at + 1) };
}

/**
 * Resolves at the file part (its fields read so far) or at the end of a body without one. An empty
 * file input (no file chosen) is sent by browsers as a part with no name and no bytes: `file` null.
 */
export function readUploadForm(request: Request): Promise<UploadForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { files: 1, fields: 10, fieldSize: FIELD_BYTES, parts: 12 }, defParamCharset: 'utf8' });
    } catch {
      reject(new ValidationFailed([{ field: 'body', message: 'is not a multipart/form-data body' }]));
      return;
    }
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    let settled = false;
    let current: Readable | undefined;
    const closed = new Promise<void>((done) => {
      parser.once('close', done);
      request.once('close', done);
    });
    const drain = async () => {
      current?.resume();
      request.resume();
      await closed;
    };
    parser.on('field', (name, value) => {
      if (FIELDS.has(name)) fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (settled || name !== 'file') {
        stream.resume();
        return;
      }
      settled = true;
      current = stream;
      if (!info.filename) {
        stream.resume();
        resolve({ fields, file: null, drain });
        return;
      }
      // The parser may fail the stream after its reader has given up on it (a refusal): heard here, not unhandled.
      stream.on('error', () => undefined);
      resolve({ fields, file: { name: info.filename, bytes: bytesOf(stream) }, drain });
    });
    parser.on('error', (error: Error) => {
      const refused = unreadable(error);
      // Part way through the file: its reader hears it as the file's error.
      if (settled) current?.destroy(refused);
      else {
        settled = true;
        reject(refused);
      }
      request.unpipe(parser);
      request.resume();
    });
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      resolve({ fields, file: null, drain });
    });
    request.pipe(parser);
  });
}
