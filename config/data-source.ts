import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ACCOUNTS_ENTITIES } from '@app/accounts';
import { loadConfig } from '@app/config';
import { CYCLES_ENTITIES } from '@app/cycles';
import { dataSourceOptions } from '@app/database';
import { MILESTONES_ENTITIES } from '@app/milestones';
import { NOTIFICATIONS_ENTITIES } from '@app/notifications';
import { OUTBOX_ENTITIES } from '@app/outbox';
import { PARTNERSHIPS_ENTITIES } from '@app/partnerships';
import { WEBHOOKS_ENTITIES } from '@app/webhooks';
import { AGREEMENTS_ENTITIES } from '@app/agreements';
import { DATA_PROTECTION_ENTITIES } from '@app/data-protection';
import { CONVERSATION_ENTITIES } from '@app/conversation';
import { EVIDENCE_ENTITIES } from '@app/evidence';
import { REORGANISATION_ENTITIES } from '@app/reorganisation';

/** Every feature's entities, for the TypeORM CLI (`npm run migration:generate`) and the schema test. */
export const ALL_ENTITIES = [
  ...ACCOUNTS_ENTITIES,
  ...PARTNERSHIPS_ENTITIES,
  ...CYCLES_ENTITIES,
  ...MILESTONES_ENTITIES,
  ...NOTIFICATIONS_ENTITIES,
  ...OUTBOX_ENTITIES,
  ...WEBHOOKS_ENTITIES,
  ...AGREEMENTS_ENTITIES,
  ...DATA_PROTECTION_ENTITIES,
  ...CONVERSATION_ENTITIES,
  ...EVIDENCE_ENTITIES,
  ...REORGANISATION_ENTITIES,
];

export default new DataSource(dataSourceOptions(loadConfig().database.url, 20, ALL_ENTITIES));
