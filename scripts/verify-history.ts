/**
 * `npm run verify-history -- <file>`: verifies a history exported for an offline audit
 * (`GET .../history/export`, docs/history-format.md) with no server and no database. It reads the
 * file line by line, recomputes every entry's hash with the history library's own code and checks
 * the links, the seqs and the head. Prints `intact (<n> entries, head <hash>)` and exits 0; the first
 * broken entry (its seq, line and why) and exits 1; a file that is not a history file (not JSON, no
 * head, empty, unreadable) exits 2. `-` reads the file from standard input.
 *
 * Only pure code is imported (the chain's hashing and the file's format: no Nest, TypeORM or pg).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { describeVerdict, verifyExport } from '../libs/history/src/history-export';

const USAGE = 'Usage: npm run verify-history -- <file.ndjson>   (or - for standard input)';

/** Verifies the file at `path` (`-`: standard input); the text to print and the exit code. */
export async function verifyFile(path: string): Promise<{ text: string; code: 0 | 1 | 2 }> {
  const input = path === '-' ? process.stdin : createReadStream(path);
  const cannotRead = (error: Error) => ({ text: `cannot read ${path}: ${error.message}`, code: 2 as const });
  const unreadable = new Promise<{ text: string; code: 2 }>((resolve) => input.once('error', (error: Error) => resolve(cannotRead(error))));
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    return await Promise.race([verifyExport(lines).then(describeVerdict, cannotRead), unreadable]);
  } finally {
    lines.close();
    if (input !== process.stdin) (input as ReturnType<typeof createReadStream>).destroy();
  }
}

if (require.main === module) {
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  if (args.length !== 1 || args[0] === '--help' || args[0] === '-h') {
    console.error(USAGE);
    process.exit(2);
  }
  void verifyFile(args[0]).then(({ text, code }) => {
    // Exits once the verdict is written (standard input, or a file read only part way, would hold the process open).
    (code === 2 ? process.stderr : process.stdout).write(`${text}\n`, () => process.exit(code));
  });
}
