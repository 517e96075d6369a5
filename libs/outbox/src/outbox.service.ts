import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { OutboxMessage } from '@app/queue';
import { OutboxRepository } from './outbox.repository';

/**
 * Jobs for Redis, written in the same transaction as the change that needs them (PostgreSQL is
 * the truth, Redis the schedule): the relay then hands them to BullMQ and deletes them only once
 * Redis has them.
 */
@Injectable()
export class OutboxService {
  constructor(private readonly outbox: OutboxRepository) {}

  /** Adds messages in the caller's transaction. */
  enqueue(manager: EntityManager, messages: OutboxMessage[]): Promise<void> {
    return this.outbox.enqueue(manager, messages);
  }

  /** Outbox messages, claimed in a transaction: they are gone only if `deliver` succeeds. */
  relay(limit: number, deliver: (messages: OutboxMessage[]) => Promise<void>): Promise<number> {
    return this.outbox.transaction(async (manager) => {
      const messages = await this.outbox.claim(manager, limit);
      if (messages.length) await deliver(messages);
      return messages.length;
    });
  }
}
