import type { z } from 'zod';
import { AGREEMENT_EVENT_TYPES, agreementFields } from '../agreement/agreement.machine';
import { MILESTONE_EVENTS, USER_EVENTS } from '../cycle/cycle.catalogue';
import { AGREEMENT_FREE_TEXT_FIELDS, CYCLE_FREE_TEXT_FIELDS, FREE_TEXT_LABELS, freeTextsOf } from './free-texts';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  format?: string;
}
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The paths of the schema's text fields that are neither ids nor dates (what a person types). */
function textPaths(schema: z.ZodType, path = ''): string[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape!).flatMap(([key, field]) => textPaths(field, path ? `${path}.${key}` : key));
    case 'array':
      return textPaths(def.element!, `${path}[]`);
    case 'optional':
    case 'nullable':
    case 'default':
      return textPaths(def.innerType!, path);
    case 'pipe':
      return textPaths(def.in!, path);
    case 'union':
      return def.options!.flatMap((option) => textPaths(option, path));
    case 'string':
      return def.format ? [] : [path];
    default:
      return [];
  }
}

describe('free texts', () => {
  it('classifies every text field of the cycle catalogue as free text or a label', () => {
    const unclassified = [...USER_EVENTS, ...MILESTONE_EVENTS].flatMap((entry) =>
      textPaths(entry.fields)
        .filter((p) => !(CYCLE_FREE_TEXT_FIELDS[entry.type] ?? []).includes(p) && !(FREE_TEXT_LABELS[entry.type] ?? []).includes(p))
        .map((p) => `${entry.type}.${p}`),
    );
    expect(unclassified).toEqual([]);
  });

  it('takes the cycle’s free texts from the catalogue’s prose fields (those its history seals)', () => {
    expect(CYCLE_FREE_TEXT_FIELDS).toEqual({
      REVISE_PROBLEM: ['statement'],
      OBJECT_PROBLEM: ['reason'],
      SUBMIT_OPTION: ['summary'],
      AMEND_OPTION: ['summary'],
      APPRAISE_OPTION: ['comment'],
      PLEDGE: ['description'],
      PROPOSE_DECISION: ['rationale'],
      OBJECT: ['reason'],
      RECORD_PROGRESS: ['note'],
      COMPLETE_ACTION: ['note'],
      RECORD_LEARNING: ['insight', 'evidence'],
      ESCALATE: ['reason'],
      RESOLVE_ESCALATION: ['resolution'],
      LEAVE_CYCLE: ['reason'],
      REMOVE_CO_OWNER: ['reason'],
      CANCEL: ['reason'],
    });
  });

  it('names only fields the cycle catalogue has', () => {
    const fields = new Map([...USER_EVENTS, ...MILESTONE_EVENTS].map((e) => [e.type as string, textPaths(e.fields)]));
    for (const [type, paths] of [...Object.entries(CYCLE_FREE_TEXT_FIELDS), ...Object.entries(FREE_TEXT_LABELS)]) {
      for (const p of paths) expect(fields.get(type)).toContain(p);
    }
  });

  it('classifies every text field of the agreement’s events', () => {
    for (const type of AGREEMENT_EVENT_TYPES) {
      expect([...textPaths(agreementFields(type)!)].sort()).toEqual([...(AGREEMENT_FREE_TEXT_FIELDS[type] ?? [])].sort());
    }
  });

  it('finds an entry’s texts with their paths, each of a list by its place', () => {
    expect(freeTextsOf(AGREEMENT_FREE_TEXT_FIELDS, 'PROPOSE_AGREEMENT', { destination: 'A city', horizonYear: 2035, principles: ['One', 'Two'] })).toEqual([
      { field: 'destination', text: 'A city' },
      { field: 'principles[0]', text: 'One' },
      { field: 'principles[1]', text: 'Two' },
    ]);
    expect(freeTextsOf(CYCLE_FREE_TEXT_FIELDS, 'COMPLETE_ACTION', { actionId: 'a' })).toEqual([]);
    expect(freeTextsOf(CYCLE_FREE_TEXT_FIELDS, 'toString', {})).toEqual([]);
    expect(freeTextsOf(CYCLE_FREE_TEXT_FIELDS, 'LAUNCH', {})).toEqual([]);
  });
});
