/** The cycle page's attachments section in words: each file's subject, size and uploader, and what the upload form offers. */
import type { CycleRecord } from '@app/cycles';
import type { CycleState } from '@app/domain';
import { ALLOWED_TYPES, type AttachmentView, formatBytes } from '@app/evidence';
import type { Names } from './cycle-page';
import { subjectValue } from './attachment-upload';

/** How many hex characters of the sha256 the list shows (the whole of it is a details away). */
export const SHA_SHOWN = 12;
/** Where the learning review has begun: from here the upload form offers it as a subject. */
const REVIEWED: ReadonlySet<CycleState> = new Set(['reviewing', 'closed']);

/** The limit in words, as people read megabytes (20 MB for 20 × 1024 × 1024 bytes). */
export function limitText(maxBytes: number): string {
  const mebibytes = maxBytes / (1024 * 1024);
  return Number.isInteger(mebibytes) ? `${mebibytes} MB` : formatBytes(maxBytes);
}

const dayOf = (at: string) => new Date(at).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

/** What an attachment is about, in words. */
function subjectText(a: Pick<AttachmentView, 'subject' | 'subjectId'>, record: CycleRecord): string {
  const c = record.snapshot.context;
  switch (a.subject) {
    case 'revision':
      return `Problem statement, revision ${a.subjectId}`;
    case 'option':
      return c.options.find((o) => o.id === a.subjectId)?.title ?? 'An option';
    case 'progress':
      return 'Progress report';
    case 'review':
      return 'Learning review';
  }
}

function itemOf(a: AttachmentView, record: CycleRecord, names: Names) {
  return {
    id: a.id,
    name: a.name,
    size: formatBytes(a.bytes),
    type: ALLOWED_TYPES[a.mediaType]?.label ?? a.mediaType,
    by: names.user(a.uploadedBy),
    at: a.at,
    subject: subjectText(a, record),
    sha256: a.sha256,
    shaShort: a.sha256.slice(0, SHA_SHOWN),
    erased: a.erased,
    withdrawnBy: a.withdrawnBy ? names.user(a.withdrawnBy) : null,
    withdrawnAt: a.withdrawnAt,
    withdrawnReason: a.withdrawnReason,
  };
}

/** The subjects the upload form offers: the latest revision, each live option, the progress reports shown, the review once it has begun. */
export function uploadSubjects(record: CycleRecord): { value: string; text: string }[] {
  const c = record.snapshot.context;
  const state = record.snapshot.value as CycleState;
  const latest = c.problem.revisions.at(-1);
  const subjects: { value: string; text: string }[] = [];
  if (latest) subjects.push({ value: subjectValue('revision', String(latest.number)), text: `Problem statement, revision ${latest.number}` });
  for (const o of c.options) if (o.status === 'live') subjects.push({ value: subjectValue('option', o.id), text: `Option: ${o.title}` });
  for (const p of [...record.progress].reverse()) subjects.push({ value: subjectValue('progress', String(p.seq)), text: `Progress report of ${dayOf(p.at)}` });
  if (REVIEWED.has(state)) subjects.push({ value: subjectValue('review', null), text: 'Learning review' });
  return subjects;
}

/** The section: the attachments shown, the withdrawn ones (to commissioners), the form's subjects and what the caller may do. */
export function attachmentsSection(
  record: CycleRecord,
  names: Names,
  page: { items: AttachmentView[]; withdrawn: AttachmentView[]; maxBytes: number; upload: boolean; withdraw: boolean },
  chosen: string | undefined,
) {
  return {
    items: page.items.map((a) => itemOf(a, record, names)),
    withdrawn: page.withdrawn.map((a) => itemOf(a, record, names)),
    upload: page.upload,
    withdraw: page.withdraw,
    limit: limitText(page.maxBytes),
    subjects: page.upload ? uploadSubjects(record).map((s) => ({ ...s, selected: s.value === chosen })) : [],
  };
}

/** The user ids the section names (uploaders, withdrawers), for the page's one read of names. */
export function attachmentUserIds(items: AttachmentView[]): string[] {
  return items.flatMap((a) => [a.uploadedBy, ...(a.withdrawnBy ? [a.withdrawnBy] : [])]);
}
