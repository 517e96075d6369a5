/**
 * The worker's metrics for Prometheus on WORKER_METRICS_PORT (it serves no other HTTP): the
 * process's own, its queues' depths and the outbox's lag, read when scraped (docs/operations.md).
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { mayScrape, scrape, watchOutboxLag, watchQueueDepth } from '@app/http';
import { AUDIT_QUEUE, MAIL_QUEUE, MILESTONE_QUEUE, RETENTION_QUEUE, WEBHOOK_QUEUE } from '@app/queue';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerMetrics');
  private server?: Server;
  private readonly unwatch: (() => void)[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(MILESTONE_QUEUE) milestones: Queue,
    @InjectQueue(MAIL_QUEUE) mail: Queue,
    @InjectQueue(WEBHOOK_QUEUE) webhooks: Queue,
    @InjectQueue(AUDIT_QUEUE) audit: Queue,
    @InjectQueue(RETENTION_QUEUE) retention: Queue,
  ) {
    this.queues = [milestones, mail, webhooks, audit, retention];
  }

  private readonly queues: Queue[];

  /** The port it listens on (WORKER_METRICS_PORT, or the one chosen when that is 0). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unwatch.push(
      watchQueueDepth(async () =>
        (await Promise.all(this.queues.map(async (queue) => ({ queue: queue.name, counts: await queue.getJobCounts(...STATES) })))).flatMap(({ queue, counts }) =>
          STATES.map((state) => ({ labels: { queue, state }, value: counts[state] ?? 0 })),
        ),
      ),
      watchOutboxLag(async () => {
        const [{ lag }]: { lag: string | null }[] = await this.dataSource.query(`SELECT extract(epoch FROM now() - min(created_at)) AS lag FROM outbox`);
        return [{ value: lag === null ? 0 : Math.max(0, Number(lag)) }];
      }),
    );
    this.server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path === '/health/live') {
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
        return;
      }
      if (path !== '/metrics' || request.method !== 'GET') {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: the worker serves /metrics and /health/live');
        return;
      }
      if (!mayScrape(this.config.metrics, request.headers.authorization)) {
        response.writeHead(403, { 'Content-Type': 'text/plain' }).end('Send the bearer METRICS_TOKEN to read the metrics.');
        return;
      }
      scrape().then(
        ({ contentType, text }) => response.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(text),
        (error: Error) => response.writeHead(500, { 'Content-Type': 'text/plain' }).end(error.message),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.metrics.workerPort, '0.0.0.0', () => resolve());
    });
    this.logger.log(`Metrics on port ${this.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const stop of this.unwatch.splice(0)) stop();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
