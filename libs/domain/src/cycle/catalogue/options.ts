/** Gathering options: submitting, amending and withdrawing them, and closing the window. */
import { z } from 'zod';
import { liveOptions, optionRefuses } from '../cycle.rules';
import { CycleContext } from '../cycle.types';
import { defineEvent, id, prose, text } from '../event-definition';
import { CYCLE_CAPS, pence, stay, tableItemsField, tableItemsRefuse } from './shared';

const authorsLiveOption = (c: CycleContext, organisationId: string | null) => organisationId !== null && liveOptions(c).some((o) => o.authorOrganisationIds.includes(organisationId));

export const SUBMIT_OPTION = defineEvent<
  'SUBMIT_OPTION',
  {
    title: ReturnType<typeof text>;
    summary: ReturnType<typeof text>;
    coAuthorOrganisationIds: z.ZodOptional<z.ZodArray<z.ZodUUID>>;
    estimatedCostPence: z.ZodOptional<ReturnType<typeof pence>>;
    tableItems: z.ZodOptional<typeof tableItemsField>;
  },
  { optionId: string }
>({
  type: 'SUBMIT_OPTION',
  label: 'Submitted an option',
  fields: z.strictObject({
    title: text(300, 'Enter a title for the option', 'The title'),
    summary: prose(20000, 'Enter a summary of the option', 'The summary'),
    coAuthorOrganisationIds: z
      .array(z.uuid({ error: 'Choose co-authors from the list' }))
      .max(50)
      .optional(),
    estimatedCostPence: pence('Enter the estimated cost in pounds, for example 55,000').optional(),
    tableItems: tableItemsField.optional(),
  }),
  generates: 'optionId',
  directory: true,
  who: { kind: 'coOwner' },
  routes: { options: stay },
  rule: (c, e) => {
    const strangers = (e.coAuthorOrganisationIds ?? []).filter((org) => !c.coOwners.some((o) => o.organisationId === org));
    if (strangers.length) return `Co-authors must be co-owners of the cycle; ${strangers.join(', ')} is not.`;
    if (c.options.some((o) => o.id === e.optionId)) return `Option ${e.optionId} already exists.`;
    if (c.options.length >= CYCLE_CAPS.options) return `A cycle holds at most ${CYCLE_CAPS.options} options, and this one has them all: amend one, or go on in the next iteration.`;
    return tableItemsRefuse(e.tableItems, e.directory);
  },
  effect: (c, e) => ({
    ...c,
    options: [
      ...c.options,
      {
        id: e.optionId,
        title: e.title,
        summary: e.summary,
        status: 'live',
        authorOrganisationIds: [...new Set([e.actor.organisationId!, ...(e.coAuthorOrganisationIds ?? [])])],
        submittedByUserId: e.actor.userId!,
        amendments: 0,
        estimatedCostPence: e.estimatedCostPence ?? null,
        ...(e.tableItems?.length && { tableItems: e.tableItems }),
        at: e.at,
      },
    ],
  }),
});

export const AMEND_OPTION = defineEvent({
  type: 'AMEND_OPTION',
  label: 'Amended an option',
  fields: z
    .strictObject({
      optionId: id('Choose an option'),
      title: text(300, 'Enter a new title or a new summary', 'The title').optional(),
      summary: prose(20000, 'Enter a new title or a new summary', 'The summary').optional(),
      estimatedCostPence: pence('Enter the estimated cost in pounds, for example 55,000').optional(),
      tableItems: tableItemsField.optional(),
    })
    .refine((e) => e.title !== undefined || e.summary !== undefined || e.estimatedCostPence !== undefined || e.tableItems !== undefined, {
      message: 'Enter a new title, summary, cost or the items on the table it uses',
      path: ['title'],
    }),
  directory: true,
  who: { kind: 'optionAuthor', doing: 'amend it' },
  routes: { options: stay },
  rule: (c, e) => optionRefuses(c, e.optionId, 'amended') ?? tableItemsRefuse(e.tableItems, e.directory),
  offered: (c, actor) => authorsLiveOption(c, actor.organisationId),
  effect: (c, e) => ({
    ...c,
    options: c.options.map((o) => {
      if (o.id !== e.optionId) return o;
      const { tableItems: _earlier, ...rest } = o;
      // An empty list says the option no longer uses anything on the table; no list keeps what it used.
      const tableItems = e.tableItems ?? o.tableItems ?? [];
      return {
        ...rest,
        title: e.title ?? o.title,
        summary: e.summary ?? o.summary,
        estimatedCostPence: e.estimatedCostPence ?? o.estimatedCostPence ?? null,
        amendments: o.amendments + 1,
        ...(tableItems.length && { tableItems }),
      };
    }),
  }),
});

export const WITHDRAW_OPTION = defineEvent({
  type: 'WITHDRAW_OPTION',
  label: 'Withdrew an option',
  fields: z.strictObject({ optionId: id('Choose an option') }),
  who: { kind: 'optionAuthor', doing: 'withdraw it' },
  routes: { options: stay },
  rule: (c, e) => optionRefuses(c, e.optionId, 'withdrawn again'),
  offered: (c, actor) => authorsLiveOption(c, actor.organisationId),
  effect: (c, e) => ({ ...c, options: c.options.map((o) => (o.id === e.optionId ? { ...o, status: 'withdrawn' } : o)) }),
});

const noLiveOption = (c: CycleContext) => (liveOptions(c).length ? undefined : 'There is no live option: the window cannot close without one.');

export const CLOSE_OPTIONS = defineEvent({
  type: 'CLOSE_OPTIONS',
  label: 'Closed the options window',
  fields: z.strictObject({}),
  who: { kind: 'commissioner', doing: 'close the options window' },
  routes: { options: { to: 'deciding', effect: 'none' } },
  rule: (c) => noLiveOption(c),
  offered: (c) => noLiveOption(c) === undefined,
});
