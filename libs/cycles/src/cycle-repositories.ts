/** The cycles feature's repositories, one per job, for its module to provide. */
import { CycleActionRemindersRepository } from './cycle-action-reminders.repository';
import { CycleFundingRepository } from './cycle-funding.repository';
import { CycleListsRepository } from './cycle-lists.repository';
import { CycleSeriesRepository } from './cycle-series.repository';
import { CycleTableItemsRepository } from './cycle-table-items.repository';
import { CycleViewsRepository } from './cycle-views.repository';
import { CycleWorkRepository } from './cycle-work.repository';
import { CycleWritesRepository } from './cycle-writes.repository';

export const CYCLES_REPOSITORIES = [
  CycleViewsRepository,
  CycleWritesRepository,
  CycleListsRepository,
  CycleWorkRepository,
  CycleFundingRepository,
  CycleTableItemsRepository,
  CycleActionRemindersRepository,
  CycleSeriesRepository,
];
