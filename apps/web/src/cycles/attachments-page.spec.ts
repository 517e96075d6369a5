import type { CycleRecord } from '@app/cycles';
import { subjectFields, subjectValue } from './attachment-upload';
import { limitText, uploadSubjects } from './attachments-page';

/** A cycle record with only what the upload form reads. */
const record = (state: string, context: object, progress: { seq: number; at: string }[] = []) => ({ snapshot: { value: state, context }, progress }) as unknown as CycleRecord;
const context = {
  problem: { revisions: [{ number: 1 }, { number: 2 }] },
  options: [
    { id: 'o-1', title: 'Winter calls', status: 'live' },
    { id: 'o-2', title: 'Withdrawn idea', status: 'withdrawn' },
  ],
};

describe('the attachments section', () => {
  it('says the limit as people read megabytes', () => {
    expect(limitText(20 * 1024 * 1024)).toBe('20 MB');
    expect(limitText(100_000)).toBe('100 KB');
  });

  it('turns the subject select’s value into the API’s fields and back', () => {
    expect(subjectFields('revision:3')).toEqual({ subject: 'revision', subjectId: '3' });
    expect(subjectFields('option:a:b')).toEqual({ subject: 'option', subjectId: 'a:b' });
    expect(subjectFields('review')).toEqual({ subject: 'review' });
    expect(subjectFields(undefined)).toEqual({});
    expect(subjectValue('progress', '12')).toBe('progress:12');
    expect(subjectValue('review', null)).toBe('review');
  });

  it('offers the latest revision, the live options, the progress reports (newest first) and, once reviewing, the review', () => {
    expect(uploadSubjects(record('deciding', context)).map((s) => s.value)).toEqual(['revision:2', 'option:o-1']);
    const reviewing = uploadSubjects(
      record('reviewing', context, [
        { seq: 30, at: '2027-01-05T10:00:00.000Z' },
        { seq: 41, at: '2027-07-05T23:30:00.000Z' },
      ]),
    );
    expect(reviewing).toEqual([
      { value: 'revision:2', text: 'Problem statement, revision 2' },
      { value: 'option:o-1', text: 'Option: Winter calls' },
      // In England's time: half past eleven at night in summer is the next day.
      { value: 'progress:41', text: 'Progress report of 6 July 2027' },
      { value: 'progress:30', text: 'Progress report of 5 January 2027' },
      { value: 'review', text: 'Learning review' },
    ]);
    expect(uploadSubjects(record('draft', { problem: { revisions: [] }, options: [] }))).toEqual([]);
  });
});
