import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { OutboxMessage } from '@app/queue';
import { OutboxEntity } from './outbox.entity';

@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async enqueue(manager: EntityManager, messages: OutboxMessage[]): Promise<void> {
    if (!messages.length) return;
    await manager.query(
      `INSERT INTO outbox (topic, payload) SELECT m->>'topic', m->'payload' FROM jsonb_array_elements($1::jsonb) AS m`,
      [JSON.stringify(messages)],
    );
  }

  /** Takes up to `limit` outbox messages; they are gone once the transaction commits. */
  async claim(manager: EntityManager, limit: number): Promise<OutboxMessage[]> {
    // DELETE ... RETURNING answers [rows, affected].
    const [rows]: [Pick<OutboxEntity, 'topic' | 'payload'>[], number] = await manager.query(
      `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING topic, payload`,
      [limit],
    );
    return rows.map((r) => ({ topic: r.topic, payload: r.payload }) as OutboxMessage);
  }
}
