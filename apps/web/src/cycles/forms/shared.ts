/** Choices several stages' forms offer: options, people, organisations. */
import { CycleContext, coOwnerIds } from '@app/domain';
import type { FormFieldSpec, FormView } from './form-spec';

export const optionItems = (options: CycleContext['options']) => options.map((o) => ({ value: o.id, text: o.title }));
const userChoices = (view: FormView, fits: (u: { organisationId: string | null }) => boolean = () => true) =>
  (view.choices?.users ?? []).filter(fits).map((u) => ({ value: u.id, text: u.name, hint: { text: u.organisationName } }));
export const organisationChoices = (view: FormView, kinds: string[]) => (view.choices?.organisations ?? []).filter((o) => kinds.includes(o.kind)).map((o) => ({ value: o.id, text: o.name }));
export const peopleField = (name: 'panelUserIds' | 'facilitatorUserIds', label: string, hint: string, view: FormView): FormFieldSpec => {
  const offered =
    name === 'panelUserIds'
      ? userChoices(view, (u) => view.choices?.organisations.some((o) => o.id === u.organisationId && o.kind !== 'facilitator') ?? false)
      : userChoices(view, (u) => !coOwnerIds(view.context).includes(u.organisationId ?? ''));
  // Those on it now whom the choices do not hold (a guest invited to the panel, someone no longer
  // active) keep a box of their own, ticked: saving the form keeps them unless it is unticked.
  const others = view.userName ? view.context[name].filter((id) => !offered.some((item) => item.value === id)) : [];
  return {
    name,
    kind: 'checkboxes',
    label,
    hint,
    values: view.context[name],
    items: [...offered, ...others.map((id) => ({ value: id, text: view.userName!(id), hint: { text: 'On it now; not one of the partnership’s people' } }))],
    parse: 'list',
  };
};
