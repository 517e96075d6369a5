/** Milestones: the system sends these when their moment comes. */
import { z } from 'zod';
import { MilestoneEventType } from '../cycle.types';
import { EventDefinition, defineEvent } from '../event-definition';

const milestoneFields = z.strictObject({ milestoneId: z.uuid().optional() });
const milestone = <T extends MilestoneEventType>(type: T, label: string, routes: EventDefinition['routes']) =>
  defineEvent({ type, label, fields: milestoneFields, who: { kind: 'milestone' }, routes });
const escalates = { to: 'escalated', effect: 'escalate' } as const;

export const FRAMING_DUE = milestone('FRAMING_DUE', 'The framingDue milestone came', { framing: escalates });
export const OPTIONS_DUE = milestone('OPTIONS_DUE', 'The optionsClose milestone came', {
  options: [{ to: 'deciding', when: ['hasLiveOption'], effect: 'none' }, escalates],
});
export const DECISION_DUE = milestone('DECISION_DUE', 'The decisionDue milestone came', { deciding: escalates });
export const REVIEW_START = milestone('REVIEW_START', 'The reviewStart milestone came', { delivering: { to: 'reviewing', effect: 'none' } });
export const REVIEW_DUE = milestone('REVIEW_DUE', 'The reviewDue milestone came', {
  reviewing: { to: 'escalated', unless: ['everyPanelMemberSignedOff'], effect: 'escalate' },
});

/** People's events, in the order forms and `nextEvents` list them. */
