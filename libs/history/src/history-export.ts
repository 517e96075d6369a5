/** The offline audit's file (NDJSON, one entry a line, the head last): written by the API, verified with no server or database (docs/history-format.md). */
import { CURRENT_HASH_SCHEME, ChainHead, ChainLink, EntryContent, GENESIS_HASH, unexplained, verifyChain } from './chain';

/** Which history a file holds: a cycle's, a partnership's agreement's, or the partnership's own. */
export type HistoryKind = 'cycle' | 'agreement' | 'partnership';

/** The file's last line: what the parent's row recorded of the chain when the export began. */
export interface ExportHead extends ChainHead {
  kind: 'head';
  history: HistoryKind;
  /** The chain's subject: the cycle's id, or the partnership's (for its agreement's history and its own). */
  subjectId: string;
  /** When the export began (ISO 8601, UTC), from the service's clock. */
  exportedAt: string;
}

/** The fields every entry line carries, in the order they are written (the content hashed, its link and its scheme). */
export const ENTRY_LINE_KEYS = ['subjectId', 'seq', 'type', 'actorUserId', 'organisationId', 'representative', 'fromState', 'toState', 'payload', 'at', 'prevHash', 'hash', 'hashScheme'] as const;

/** An entry as its history stores it (its entity), named by `subjectKey` (`cycleId`, `partnershipId`). */
type StoredEntry = EntryContent & ChainLink & object;

/**
 * One entry's line: the entry as stored, with its subject (whatever its entity calls it) as
 * `subjectId` and its hash scheme. Columns the entity has beyond the known ones (a later scheme's)
 * follow them, so whatever the scheme hashes is in the file; relations not loaded are left out.
 */
export function entryLine(subjectId: string, subjectKey: string, entry: StoredEntry): string {
  const stored = entry as unknown as Record<string, unknown>;
  const line: Record<string, unknown> = {};
  for (const key of ENTRY_LINE_KEYS) line[key] = key === 'subjectId' ? subjectId : stored[key];
  line.at = entry.at.toISOString();
  line.hashScheme ??= CURRENT_HASH_SCHEME;
  for (const [key, value] of Object.entries(stored)) {
    if (key === subjectKey || key in line || value === undefined) continue;
    line[key] = value;
  }
  return JSON.stringify(line);
}

/** The head's line (the file's last). */
export function headLine(head: Omit<ExportHead, 'kind'>): string {
  const { history, subjectId, version, historyHash, exportedAt } = head;
  return JSON.stringify({ kind: 'head', history, subjectId, version, historyHash, exportedAt } satisfies ExportHead);
}

/**
 * The whole file, a chunk a page: every entry's line in seq order (each ending with a newline),
 * the head's line last. Pages are read only as the chunks are taken (constant memory).
 */
export async function* exportLines(head: Omit<ExportHead, 'kind'>, subjectKey: string, pages: AsyncIterable<StoredEntry[]>): AsyncGenerator<string> {
  for await (const page of pages) {
    if (page.length) yield page.map((entry) => entryLine(head.subjectId, subjectKey, entry) + '\n').join('');
  }
  yield headLine(head) + '\n';
}

/** The verifier's verdict on a file. */
export type ExportVerdict =
  | { status: 'intact'; entries: number; head: string; history: string; subjectId: string }
  /** The first entry that does not hold (or the head's place), and why. */
  | { status: 'broken'; seq: number; line: number; reason: string }
  /** Not a history file: it cannot be judged. */
  | { status: 'malformed'; line?: number; reason: string };

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const isInstant = (value: unknown): value is string => typeof value === 'string' && ISO_INSTANT.test(value) && new Date(value).toISOString() === value;
const isCount = (value: unknown, least: number): value is number => typeof value === 'number' && Number.isInteger(value) && value >= least;
const isTextOrNull = (value: unknown) => value === null || typeof value === 'string';
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What is wrong with an entry line's shape (undefined: nothing). */
function entryProblem(line: Record<string, unknown>): string | undefined {
  const wrong: [string, boolean][] = [
    ['subjectId must be text', typeof line.subjectId === 'string' && line.subjectId !== ''],
    ['seq must be a whole number from 1', isCount(line.seq, 1)],
    ['type must be text', typeof line.type === 'string'],
    ['actorUserId must be text or null', isTextOrNull(line.actorUserId)],
    ['organisationId must be text or null', isTextOrNull(line.organisationId)],
    ['representative must be true or false', typeof line.representative === 'boolean'],
    ['fromState must be text or null', isTextOrNull(line.fromState)],
    ['toState must be text', typeof line.toState === 'string'],
    ['payload must be an object', isObject(line.payload)],
    ['at must be an instant written YYYY-MM-DDTHH:mm:ss.sssZ', isInstant(line.at)],
    ['prevHash must be text', typeof line.prevHash === 'string'],
    ['hash must be text', typeof line.hash === 'string'],
    ['hashScheme must be a whole number from 1', isCount(line.hashScheme, 1)],
  ];
  return wrong.find(([, ok]) => !ok)?.[0];
}

/** What is wrong with the head line's shape (undefined: nothing). */
function headProblem(line: Record<string, unknown>): string | undefined {
  const wrong: [string, boolean][] = [
    ['history must be text', typeof line.history === 'string' && line.history !== ''],
    ['subjectId must be text', typeof line.subjectId === 'string' && line.subjectId !== ''],
    ['version must be a whole number from 0', isCount(line.version, 0)],
    ['historyHash must be text', typeof line.historyHash === 'string'],
    ['exportedAt must be an instant written YYYY-MM-DDTHH:mm:ss.sssZ', isInstant(line.exportedAt)],
  ];
  return wrong.find(([, ok]) => !ok)?.[0];
}

/**
 * Verifies a history file, line by line as it is read (constant memory however long): every
 * entry's seq follows the one before, links to its hash and hashes to its own under its scheme
 * (the history library's `verifyChain`, as the server verifies); the last line is the head, which
 * the last entry must be (its seq the head's version, its hash the head's). The first problem, in
 * the file's order, is the verdict. Blank lines are ignored (a trailing newline is usual).
 */
export async function verifyExport(lines: AsyncIterable<string> | Iterable<string>): Promise<ExportVerdict> {
  let number = 0;
  let head: ExportHead | undefined;
  let headAt = 0;
  let subjectId: string | undefined;
  let from = { seq: 0, hash: GENESIS_HASH };
  let seen = false;
  // Fields erased or redacted, until the erasure or redaction entry naming them is read.
  const pending = new Map<string, number>();
  const releasedAtLine = new Map<number, number>();
  for await (const raw of lines) {
    number++;
    // A byte-order mark some editors add when saving, and a carriage return before the newline, are not the line's.
    const unmarked = number === 1 && raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
    const text = unmarked.endsWith('\r') ? unmarked.slice(0, -1) : unmarked;
    if (!text.trim()) continue;
    seen = true;
    if (head) return { status: 'malformed', line: number, reason: `Line ${number} follows the head line: the head must be the last line.` };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return { status: 'malformed', line: number, reason: `Line ${number} is not JSON (${(error as Error).message}).` };
    }
    if (!isObject(parsed)) return { status: 'malformed', line: number, reason: `Line ${number} is not a JSON object.` };
    if (parsed.kind === 'head') {
      const problem = headProblem(parsed);
      if (problem) return { status: 'malformed', line: number, reason: `Line ${number} is the head, but its ${problem}.` };
      head = parsed as unknown as ExportHead;
      headAt = number;
      continue;
    }
    const problem = entryProblem(parsed);
    if (problem) return { status: 'malformed', line: number, reason: `Line ${number} is not a history entry: its ${problem}.` };
    const entry = { ...parsed, at: new Date(parsed.at as string) } as unknown as EntryContent & ChainLink & { subjectId: string };
    subjectId ??= entry.subjectId;
    if (entry.subjectId !== subjectId) {
      return { status: 'broken', seq: entry.seq, line: number, reason: `Entry ${entry.seq} is of another history (${entry.subjectId}), not of ${subjectId} as the entries before it.` };
    }
    let verdict;
    try {
      const before = pending.size;
      verdict = verifyChain(subjectId, [entry], undefined, from, pending);
      if (pending.size > before) releasedAtLine.set(entry.seq, number);
    } catch (error) {
      return { status: 'malformed', line: number, reason: `Entry ${entry.seq} cannot be hashed under scheme ${entry.hashScheme} by this verifier (${(error as Error).message}).` };
    }
    if (!verdict.intact) return { status: 'broken', seq: verdict.brokenAtSeq, line: number, reason: verdict.reason };
    from = { seq: entry.seq, hash: entry.hash };
  }
  if (!seen) return { status: 'malformed', reason: 'The file is empty: it holds no entries and no head.' };
  if (!head) return { status: 'malformed', reason: 'The file has no head line (the last line, "kind": "head"): it is incomplete, or was cut short.' };
  const at = headAt;
  if (subjectId !== undefined && head.subjectId !== subjectId) {
    return { status: 'broken', seq: from.seq, line: at, reason: `The head is of another history (${head.subjectId}), not of ${subjectId} as the entries.` };
  }
  const left = unexplained(pending);
  if (left) return { status: 'broken', seq: left.seq, line: releasedAtLine.get(left.seq) ?? at, reason: left.reason };
  const what = `The ${head.history}'s head`;
  if (from.seq < head.version) {
    return {
      status: 'broken',
      seq: from.seq + 1,
      line: at,
      reason: `${what} is at version ${head.version}, but the entries end at ${from.seq}: entries ${from.seq + 1} to ${head.version} are missing.`,
    };
  }
  if (from.seq > head.version) {
    return { status: 'broken', seq: head.version + 1, line: at, reason: `The file has ${from.seq} entries, but ${what.toLowerCase()} is at version ${head.version}: entries were added after it.` };
  }
  if (from.hash !== head.historyHash) {
    return { status: 'broken', seq: from.seq, line: at, reason: `Entry ${from.seq} is not the newest entry ${what.toLowerCase()} records: its hash differs from the head's.` };
  }
  return { status: 'intact', entries: from.seq, head: head.historyHash, history: head.history, subjectId: head.subjectId };
}

/** The verdict as the verifier prints it, and its exit code (0 intact, 1 broken, 2 malformed). */
export function describeVerdict(verdict: ExportVerdict): { text: string; code: 0 | 1 | 2 } {
  switch (verdict.status) {
    case 'intact':
      return { text: `intact (${verdict.entries} ${verdict.entries === 1 ? 'entry' : 'entries'}, head ${verdict.head})`, code: 0 };
    case 'broken':
      return { text: `broken at entry ${verdict.seq} (line ${verdict.line}): ${verdict.reason}`, code: 1 };
    case 'malformed':
      return { text: `not a history file: ${verdict.reason}`, code: 2 };
  }
}
