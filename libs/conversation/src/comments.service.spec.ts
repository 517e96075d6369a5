import type { CycleContext } from '@app/domain';
import { mentionsIn, moderates, subjectExists } from './comments.service';

describe('comments: what a mention is, what a subject is, who moderates', () => {
  it('finds @<email> mentions at the start, after spaces and brackets, without trailing punctuation, each once and lower-cased', () => {
    expect(mentionsIn('@Sam@Example.org, and (@kim@example.org). Ask @sam@example.org again!')).toEqual(['sam@example.org', 'kim@example.org']);
    expect(mentionsIn('Write to me@example.org or visit example.org/@x')).toEqual([]);
    expect(mentionsIn('@not-an-email and @ alone')).toEqual([]);
    expect(mentionsIn('Thanks @lee@example.org.')).toEqual(['lee@example.org']);
  });

  const context = {
    problem: {
      revisions: [{ number: 1 }, { number: 2 }],
      objections: [{ revision: 2, organisationId: 'org-a' }],
      endorsements: [],
    },
    options: [{ id: 'opt-1' }],
    proposals: [{ id: 'prop-1', objections: [{ organisationId: 'org-b' }] }],
    coOwners: [
      { organisationId: 'org-a', role: 'commissioner' },
      { organisationId: 'org-b', role: 'provider' },
    ],
    facilitatorUserIds: ['fac-1'],
  } as unknown as CycleContext;

  it('a subject is a part of the cycle: a revision by its number, an option or a proposal by id, an objection by its key', () => {
    expect(subjectExists(context, 'revision', '2')).toBe(true);
    for (const id of ['3', '0', '02', '1.0', ' 1', '']) expect(subjectExists(context, 'revision', id)).toBe(false);
    expect(subjectExists(context, 'option', 'opt-1')).toBe(true);
    expect(subjectExists(context, 'option', 'prop-1')).toBe(false);
    expect(subjectExists(context, 'proposal', 'prop-1')).toBe(true);
    expect(subjectExists(context, 'objection', 'revision:2:org-a')).toBe(true);
    expect(subjectExists(context, 'objection', 'revision:1:org-a')).toBe(false);
    expect(subjectExists(context, 'objection', 'proposal:prop-1:org-b')).toBe(true);
    expect(subjectExists(context, 'objection', 'proposal:prop-1:org-a')).toBe(false);
    expect(subjectExists(context, 'objection', 'proposal:prop-1:org-b:extra')).toBe(false);
    expect(subjectExists(context, 'objection', 'option:opt-1:org-b')).toBe(false);
  });

  it('commissioners’ members and the cycle’s facilitators moderate; a provider’s member does not', () => {
    expect(moderates({ userId: 'u', organisationId: 'org-a' }, context)).toBe(true);
    expect(moderates({ userId: 'fac-1', organisationId: null }, context)).toBe(true);
    expect(moderates({ userId: 'u', organisationId: 'org-b' }, context)).toBe(false);
    expect(moderates({ userId: 'u', organisationId: null }, context)).toBe(false);
  });
});
