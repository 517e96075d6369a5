/**
 * Every person's event has its form: a `Record` of every user event type, so that an event the
 * catalogue adds without a form here fails to compile.
 */
import type { UserEventType } from '@app/domain';
import type { FormSpec } from './form-spec';
import { ANY_STAGE_FORMS } from './any-stage';
import { DECIDING_FORMS } from './deciding';
import { DELIVERING_FORMS } from './delivering';
import { DRAFT_FORMS } from './draft';
import { FRAMING_FORMS } from './framing';
import { OPTIONS_FORMS } from './options';
import { PEOPLE_FORMS } from './people';
import { REVIEWING_FORMS } from './reviewing';

export type { FormChoices, FormFieldSpec, FormGroup, FormSpec, FormView } from './form-spec';

export const EVENT_FORMS: Record<UserEventType, FormSpec> = {
  ...DRAFT_FORMS,
  ...FRAMING_FORMS,
  ...OPTIONS_FORMS,
  ...DECIDING_FORMS,
  ...DELIVERING_FORMS,
  ...REVIEWING_FORMS,
  ...ANY_STAGE_FORMS,
  ...PEOPLE_FORMS,
};

/** By type; a Map, so that `toString` or `__proto__` has no form. */
const BY_TYPE: ReadonlyMap<string, FormSpec> = new Map(Object.entries(EVENT_FORMS));

/** The form of a person's event (none for milestones, or for what is not an event type). */
export const eventFormOf = (type: string): FormSpec | undefined => BY_TYPE.get(type);
