/** Choices several stages' forms offer: options, people, organisations. */
import { CycleContext, coOwnerIds } from '@app/domain';
import type { FormFieldSpec, FormView } from './form-spec';

export const optionItems = (options: CycleContext['options']) => options.map((o) => ({ value: o.id, text: o.title }));
const userChoices = (view: FormView, fits: (u: { organisationId: string | null }) => boolean = () => true) =>
  (view.choices?.users ?? []).filter(fits).map((u) => ({ value: u.id, text: u.name, hint: { text: u.organisationName } }));
export const organisationChoices = (view: FormView, kinds: string[]) => (view.choices?.organisations ?? []).filter((o) => kinds.includes(o.kind)).map((o) => ({ value: o.id, text: o.name }));
export const peopleField = (name: 'panelUserIds' | 'facilitatorUserIds', label: string, hint: string, view: FormView): FormFieldSpec => ({
  name,
  kind: 'checkboxes',
  label,
  hint,
  values: view.context[name],
  items:
    name === 'panelUserIds'
      ? userChoices(view, (u) => view.choices?.organisations.some((o) => o.id === u.organisationId && o.kind !== 'facilitator') ?? false)
      : userChoices(view, (u) => !coOwnerIds(view.context).includes(u.organisationId ?? '')),
  parse: 'list',
});
