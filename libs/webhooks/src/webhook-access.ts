/**
 * Who a webhook speaks for, in SQL (shared by the statements that write deliveries and the worker
 * that sends them; no imports, so that libs/cycles can use it without the webhooks module).
 *
 * A webhook is bound to the organisation of the person who made it. It receives events only
 * while it is on, that organisation is a commissioner member of the partnership, the partnership
 * is not archived, and its maker is still an active (non-admin) person of that organisation: the
 * access that was needed to make it. The migration's triggers switch a webhook off in the same
 * transaction as any change that ends that access; this check holds even if one were missed.
 */
export const WEBHOOK_MAY_RECEIVE = (w: string) => `${w}.active AND EXISTS (
      SELECT 1 FROM partnership_members wpm
      JOIN organisations wo ON wo.id = wpm.organisation_id AND wo.kind = 'commissioner'
      JOIN partnerships wp ON wp.id = wpm.partnership_id AND wp.archived_at IS NULL
      JOIN users wu ON wu.id = ${w}.created_by_user_id AND wu.organisation_id = wpm.organisation_id AND wu.active AND wu.role <> 'admin'
      WHERE wpm.partnership_id = ${w}.partnership_id AND wpm.organisation_id = ${w}.organisation_id)`;

/** Why a webhook is off (`webhooks.disabled_reason`), as the listing says it. */
export const DISABLED_REASONS = {
  failures: 'Switched off after 20 failed deliveries in a row.',
  'member-removed': 'Its organisation was removed from the partnership.',
  'creator-deactivated': 'The person who made it was deactivated.',
  'creator-role': 'The person who made it no longer acts for a commissioner member of the partnership.',
  'organisation-not-commissioner': 'Its organisation is no longer a commissioner.',
  'partnership-archived': 'The partnership was archived.',
  duplicate: 'Another webhook of the partnership goes to the same address.',
} as const;
export type DisabledReason = keyof typeof DISABLED_REASONS;

/** Why a webhook is off, as a code and in words (null while it is on); off before reasons were kept means too many failures. */
export function whyOff(w: { active: boolean; disabledReason: DisabledReason | null }): { reason: DisabledReason; detail: string } | null {
  if (w.active) return null;
  const reason = w.disabledReason ?? 'failures';
  return { reason, detail: DISABLED_REASONS[reason] };
}
