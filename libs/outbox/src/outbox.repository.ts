/** The outbox's rows: jobs enqueued in the change's transaction and claimed by the relay. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Transactions } from '@app/database';
import { DataSource, EntityManager } from 'typeorm';
import type { OutboxMessage } from '@app/queue';
import { OutboxEntity } from './outbox.entity';

@Injectable()
export class OutboxRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {}

  /** The transaction's manager when one is under way (Transactions.run), else the data source's. */
  private get manager(): EntityManager {
    return this.transactions.manager;
  }

  async enqueue(messages: OutboxMessage[]): Promise<void> {
    if (!messages.length) return;
    await this.manager.query(`INSERT INTO outbox (topic, payload) SELECT m->>'topic', m->'payload' FROM jsonb_array_elements($1::jsonb) AS m`, [JSON.stringify(messages)]);
  }

  /** Takes up to `limit` outbox messages; they are gone once the transaction commits. */
  async claim(limit: number): Promise<OutboxMessage[]> {
    // DELETE ... RETURNING answers [rows, affected].
    const [rows]: [Pick<OutboxEntity, 'topic' | 'payload'>[], number] = await this.manager.query(
      `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING topic, payload`,
      [limit],
    );
    return rows.map((r) => ({ topic: r.topic, payload: r.payload }) as OutboxMessage);
  }
}
