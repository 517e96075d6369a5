/**
 * Where a subject-access export holds each column that names a user: every table with a foreign
 * key to users(id) or a uuid column named `*user_id` or `*_by` must be here (a medium test reads
 * the schema and fails on any that is not), with the export's key that lists it, or why it is not
 * personal data of that user.
 */

/** The export's keys, in the order the file gives them. */
export const SUBJECT_ACCESS_KEYS = [
  'exportedAt',
  'user',
  'organisation',
  'preferences',
  'sessions',
  'tokens',
  'identities',
  'notifications',
  'tasks',
  'historyEntries',
  'texts',
  'panelSeats',
  'facilitatorRoles',
  'cyclesCreated',
  'invitations',
  'milestonesScheduled',
  'incidentsRetried',
  'partnershipsCreated',
  'partnershipsArchived',
  'partnershipProposals',
  'tableDeclarations',
  'outcomesAdded',
  'partnershipHistoryEntries',
  'agreementHistoryEntries',
  'agreementTexts',
  'agreementReviews',
  'webhooks',
  'comments',
  'attachments',
] as const;
export type SubjectAccessKey = (typeof SUBJECT_ACCESS_KEYS)[number];

/** A column's place in the export, or why it is left out. */
export type Coverage = { key: SubjectAccessKey } | { notPersonal: string };

/** By `table.column`. */
export const COVERAGE: Readonly<Record<string, Coverage>> = {
  'users.id': { key: 'user' },
  'web_sessions.user_id': { key: 'sessions' },
  'personal_access_tokens.user_id': { key: 'tokens' },
  'user_identities.user_id': { key: 'identities' },
  'notifications.user_id': { key: 'notifications' },
  'cycle_history.actor_user_id': { key: 'historyEntries' },
  'cycles.created_by_user_id': { key: 'cyclesCreated' },
  'cycle_invitations.invited_by_user_id': { key: 'invitations' },
  'cycle_invitations.guest_user_id': { key: 'invitations' },
  'milestones.created_by_user_id': { key: 'milestonesScheduled' },
  'incidents.retried_by_user_id': { key: 'incidentsRetried' },
  'partnerships.created_by_user_id': { key: 'partnershipsCreated' },
  'partnerships.archived_by_user_id': { key: 'partnershipsArchived' },
  'partnership_invitations.invited_by_user_id': { key: 'invitations' },
  'partnership_invitations.decided_by_user_id': { key: 'invitations' },
  'partnership_proposals.proposed_by_user_id': { key: 'partnershipProposals' },
  'partnership_proposals.decided_by_user_id': { key: 'partnershipProposals' },
  'table_declarations.declared_by_user_id': { key: 'tableDeclarations' },
  'outcomes.created_by_user_id': { key: 'outcomesAdded' },
  'partnership_history.actor_user_id': { key: 'partnershipHistoryEntries' },
  'agreement_history.actor_user_id': { key: 'agreementHistoryEntries' },
  'agreement_reviews.created_by_user_id': { key: 'agreementReviews' },
  'webhooks.created_by_user_id': { key: 'webhooks' },
  'organisation_successions.created_by_user_id': { notPersonal: 'which admin scheduled an organisation’s succession: a fact of the reorganisation, shown to admins with it' },
  'comments.author_user_id': { key: 'comments' },
  'comments.hidden_by_user_id': { key: 'comments' },
  'attachments.uploaded_by_user_id': { key: 'attachments' },
  'attachments.withdrawn_by_user_id': { key: 'attachments' },
  'retention_rules.updated_by_user_id': { notPersonal: 'which admin last changed a retention period: a fact of the policy, shown to admins on the policy page' },
};

/**
 * Where people's ids sit inside JSON rather than in a column of their own (the schema test cannot
 * find them): what the export lists of them, for docs/data-protection.md and the reviewer.
 */
export const COVERAGE_IN_JSON: Readonly<Record<string, string>> = {
  'cycles.snapshot (panelUserIds, facilitatorUserIds)': 'panelSeats and facilitatorRoles: the seats held now; earlier ones are the history entries that changed them',
  'cycles.snapshot (authors, endorsements, responses, learning)': 'copies of what the person’s own history entries recorded: historyEntries and texts',
  'cycles.inherited_learning': 'the previous iteration’s learning, copied from its history: historyEntries and texts of that cycle',
  'webhook_deliveries.body': 'copies of history entries sent to partner systems (historyEntries); kept as the retention policy says',
};
