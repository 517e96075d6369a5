/** What the milestones feature's daily action reminders read of the cycles (through CycleQueriesService): cycles in delivery with open actions. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DeliveryAction } from '@app/domain';

@Injectable()
export class CycleActionRemindersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Cycles in delivery with open actions (the daily pass of action reminders reads them). */
  async withOpenActions(): Promise<{ id: string; title: string; partnership_id: string; actions: DeliveryAction[] }[]> {
    return this.dataSource.query(
      `SELECT c.id, c.title, c.partnership_id, c.snapshot->'context'->'actions' AS actions FROM cycles c
       WHERE c.state = 'delivering' AND jsonb_path_exists(c.snapshot, '$.context.actions[*] ? (@.doneAt == null)')`,
    );
  }
}
