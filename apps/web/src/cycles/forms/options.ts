/** The options window’s forms. */
import { CycleContext, liveOptions } from '@app/domain';
import type { FormView, StageForms } from './form-spec';
import { optionItems } from './shared';

const authoredOrLive = ({ context, organisationId }: { context: CycleContext; organisationId: string | null }) => {
  const live = liveOptions(context);
  const mine = live.filter((o) => organisationId && o.authorOrganisationIds.includes(organisationId));
  return optionItems(mine.length ? mine : live);
};
const tableItemsFormField = (view: FormView) => ({
  name: 'tableItems',
  kind: 'checkboxes' as const,
  label: 'What on the table does it use? (optional)',
  hint: 'Items members have declared they put on the table',
  items: Object.entries(view.choices?.onTheTable ?? {}).flatMap(([organisationId, items]) =>
    items.map((item) => ({ value: JSON.stringify({ organisationId, item }), text: `${item} (${view.orgName(organisationId)})` })),
  ),
  parse: 'json-list' as const,
});
const costField = { name: 'estimatedCostPence', kind: 'text' as const, label: 'Estimated cost in pounds (optional)', hint: 'For example, 55,000 or 1,234.50', parse: 'pence' as const };

export const OPTIONS_FORMS = {
  SUBMIT_OPTION: {
    done: 'The option is submitted',
    heading: 'Submit an option',
    button: 'Submit option',
    fields: (view) => [
      { name: 'title', kind: 'text', label: 'Title' },
      { name: 'summary', kind: 'textarea', label: 'Summary' },
      {
        name: 'coAuthorOrganisationIds',
        kind: 'checkboxes',
        label: 'Co-authors (optional)',
        hint: 'Other co-owners writing this option with you',
        items: view.context.coOwners.filter((o) => o.organisationId !== view.organisationId).map((o) => ({ value: o.organisationId, text: view.orgName(o.organisationId) })),
        parse: 'list',
      },
      costField,
      tableItemsFormField(view),
    ],
  },
  AMEND_OPTION: {
    done: 'The option is amended',
    heading: 'Amend an option',
    description: 'Leave a box empty to keep what it says.',
    button: 'Save changes',
    fields: (view) => [
      { name: 'optionId', kind: 'select', label: 'Option', items: authoredOrLive(view) },
      { name: 'title', kind: 'text', label: 'New title (optional)', parse: 'optionalText' },
      { name: 'summary', kind: 'textarea', label: 'New summary (optional)', parse: 'optionalText' },
      { ...costField, label: 'New estimated cost in pounds (optional)' },
      { ...tableItemsFormField(view), label: 'What on the table does it use now? (optional)', hint: 'Leave every box unticked to keep what it uses', parse: 'json-list-optional' as const },
    ],
  },
  WITHDRAW_OPTION: {
    done: 'The option is withdrawn',
    heading: 'Withdraw an option',
    button: 'Withdraw option',
    warning: true,
    fields: (view) => [{ name: 'optionId', kind: 'select', label: 'Option', items: authoredOrLive(view) }],
  },
  CLOSE_OPTIONS: { done: 'The options window is closed', heading: 'Close the options window', description: 'Co-owners then appraise the options and decide.', button: 'Close options' },
} satisfies StageForms;
