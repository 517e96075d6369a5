/** The data-protection feature's public face: its module and services. */
export * from './data-protection.module';
export * from './retention.policy';
export * from './retention.requests';
export * from './retention.service';
export { RetentionRuleEntity } from './retention-rule.entity';
export type { JobRecord } from './retention.repository';
export * from './subject-access.service';
export * from './subject-access.coverage';
export * from './erasure.service';
export * from './erasure.requests';
