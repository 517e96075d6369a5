/** Jobs for Redis written in the same transaction as the change that needs them, for the relay to hand on. */
import { Injectable } from '@nestjs/common';
import { Transactions } from '@app/database';
import type { OutboxMessage } from '@app/queue';
import { OutboxRepository } from './outbox.repository';

/**
 * Jobs for Redis, written in the same transaction as the change that needs them (PostgreSQL is
 * the truth, Redis the schedule): the relay then hands them to BullMQ and deletes them only once
 * Redis has them.
 */
@Injectable()
export class OutboxService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly transactions: Transactions,
  ) {}

  /** Adds messages in the transaction under way (Transactions.run). */
  enqueue(messages: OutboxMessage[]): Promise<void> {
    return this.outbox.enqueue(messages);
  }

  /** Outbox messages, claimed in a transaction: they are gone only if `deliver` succeeds. */
  relay(limit: number, deliver: (messages: OutboxMessage[]) => Promise<void>): Promise<number> {
    return this.transactions.run(async () => {
      const messages = await this.outbox.claim(limit);
      if (messages.length) await deliver(messages);
      return messages.length;
    });
  }
}
