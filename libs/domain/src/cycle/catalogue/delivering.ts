/** Delivering: the delivery plan's actions, progress updates, and starting the review. */
import { z } from 'zod';
import { actionsOf, openActionsOf } from '../cycle.funding';
import { defineEvent, id, prose, text } from '../event-definition';
import { stay } from './shared';

export const RECORD_PROGRESS = defineEvent({
  type: 'RECORD_PROGRESS',
  label: 'Recorded progress',
  fields: z.strictObject({
    note: prose(20000, 'Enter what has happened', 'The note'),
    readings: z
      .array(
        z.strictObject({
          metric: text(200, 'Choose the metric', 'The metric'),
          value: z.number({ error: 'Enter the reading as a number, for example 22.5' }),
        }),
      )
      .max(100)
      .optional(),
  }),
  who: { kind: 'coOwner' },
  routes: { delivering: stay },
  rule: (c, e) => {
    const unknown = (e.readings ?? []).filter((r) => !c.metrics.some((m) => m.id === r.metric || m.name === r.metric));
    return unknown.length ? `Readings are of the cycle's outcome metrics; "${unknown[0].metric}" is not one of them.` : undefined;
  },
  // Changes nothing the rules read: its history entry is the record.
});

export const START_REVIEW = defineEvent({
  type: 'START_REVIEW',
  label: 'Started the learning review',
  fields: z.strictObject({}),
  who: { kind: 'commissioner', doing: 'start the review' },
  routes: { delivering: { to: 'reviewing', effect: 'none' } },
});

export const ADD_ACTION = defineEvent<
  'ADD_ACTION',
  {
    title: ReturnType<typeof text>;
    ownerOrganisationId: z.ZodUUID;
    dueAt: z.ZodISODateTime;
  },
  { actionId: string }
>({
  type: 'ADD_ACTION',
  label: 'Added an action to the delivery plan',
  fields: z.strictObject({
    title: text(300, 'Enter what is to be done', 'The action'),
    ownerOrganisationId: z.uuid({ error: 'Choose the organisation that owns it' }),
    dueAt: z.iso.datetime({ offset: true, error: 'Enter the date it is due, for example 2027-03-31' }),
  }),
  generates: 'actionId',
  who: { kind: 'coOwner' },
  routes: { delivering: stay },
  rule: (c, e) => {
    if (!c.coOwners.some((o) => o.organisationId === e.ownerOrganisationId)) return 'An action is owned by one of the cycle’s co-owners.';
    if (actionsOf(c).some((a) => a.id === e.actionId)) return `Action ${e.actionId} already exists.`;
    return undefined;
  },
  effect: (c, e) => ({
    ...c,
    actions: [
      ...actionsOf(c),
      {
        id: e.actionId,
        title: e.title,
        ownerOrganisationId: e.ownerOrganisationId,
        dueAt: new Date(e.dueAt).toISOString(),
        addedByOrganisationId: e.actor.organisationId!,
        at: e.at,
        doneAt: null,
        doneByUserId: null,
        note: null,
      },
    ],
  }),
});

export const COMPLETE_ACTION = defineEvent({
  type: 'COMPLETE_ACTION',
  label: 'Completed an action',
  fields: z.strictObject({ actionId: id('Choose the action'), note: prose(5000, 'Enter a note', 'The note').optional() }),
  who: { kind: 'actionOwner', doing: 'complete it' },
  routes: { delivering: stay },
  rule: (c, e) => {
    const action = actionsOf(c).find((a) => a.id === e.actionId);
    if (!action) return `There is no action ${e.actionId} in this cycle.`;
    return action.doneAt ? `“${action.title}” is already done.` : undefined;
  },
  offered: (c, actor) => openActionsOf(c, actor.organisationId).length > 0,
  effect: (c, e) => ({
    ...c,
    actions: actionsOf(c).map((a) => (a.id === e.actionId ? { ...a, doneAt: e.at, doneByUserId: e.actor.userId, note: e.note ?? null } : a)),
  }),
});
