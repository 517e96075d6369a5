/** The base of a feature's repository: reads on the data source, writes in the transaction under way (Transactions.run). */
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Transactions } from './transactions';

@Injectable()
export abstract class FeatureRepository {
  constructor(
    protected readonly dataSource: DataSource,
    protected readonly transactions: Transactions,
  ) {}

  /** The transaction's manager when one is under way, else the data source's. */
  protected get manager(): EntityManager {
    return this.transactions.manager;
  }
}
