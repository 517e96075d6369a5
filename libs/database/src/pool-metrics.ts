/** The database pool's use in the process's metrics (`cocommission_db_pool_connections`), read when scraped. */
import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { watchDatabasePool } from '@app/http';

type Pool = { totalCount: number; idleCount: number; waitingCount: number };

@Injectable()
export class DatabasePoolMetrics implements OnModuleInit, OnApplicationShutdown {
  private stop?: () => void;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.stop = watchDatabasePool(() => {
      const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
      if (!pool) return [];
      return [
        { labels: { state: 'total' }, value: pool.totalCount },
        { labels: { state: 'idle' }, value: pool.idleCount },
        { labels: { state: 'waiting' }, value: pool.waitingCount },
      ];
    });
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }
}
