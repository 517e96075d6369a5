/** The milestones feature's public face: its entities, repository, services, scheduling helpers and requests. */
export * from './milestone.entity';
export * from './milestones.repository';
export * from './milestones.service';
export * from './milestone-jobs.service';
export * from './milestones.module';
export * from './schedule';
export * from './action-reminders.service';
export * from './milestones.requests';
export * from './milestones.subject-access';
