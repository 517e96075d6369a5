/** The transactional context: work run here is one transaction that every repository it calls joins. */
import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The transactional context (`@nestjs-cls/transactional`): work run here is one transaction, and
 * every repository it calls joins it through `manager`, without an EntityManager passed from
 * hand to hand. Work outside any transaction gets the data source's own manager. It runs the same
 * in a request, a BullMQ job, a sweeper's pass or a test: a context is opened when none is.
 */
@Injectable()
export class Transactions {
  constructor(
    private readonly host: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly cls: ClsService,
    private readonly dataSource: DataSource,
  ) {}

  /** Runs `work` in a transaction; inside one already, it joins it. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const inTransaction = () => this.host.withTransaction(work);
    return this.cls.isActive() ? inTransaction() : this.cls.run(inTransaction);
  }

  /** The manager of the transaction under way, or the data source's when none is. */
  get manager(): EntityManager {
    return this.cls.isActive() ? this.host.tx : this.dataSource.manager;
  }
}

/**
 * Runs `work` in a transaction of its own with PostgreSQL's JIT compilation off. For a statement whose
 * estimated cost passes `jit_above_cost` by its size, not by its work (an export's page of cycles with
 * a subplan each): compiling it took 60 ms of a 131 ms page whose scan took 19 ms (issue 38).
 */
export function withoutJit<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SET LOCAL jit = off`);
    return work(manager);
  });
}
