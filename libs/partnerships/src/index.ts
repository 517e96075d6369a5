/** The partnerships feature's public face: its entities, services, repositories' types and SQL pieces for other features. */
export * from './partnership.entity';
export * from './partnerships.repository';
export * from './partnership-invitations.repository';
export * from './partnership-history.repository';
export * from './partnerships.service';
export * from './partnership-decisions.service';
export * from './partnership-governance.service';
export * from './partnership-invitations.service';
export * from './partnership-calendar.service';
export * from './partnership-framework.service';
export * from './partnerships.fragment';
export * from './partnerships.requests';
export * from './partnerships.module';
export * from './partnerships.subject-access';
