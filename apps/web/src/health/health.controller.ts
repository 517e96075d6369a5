/** The web app's checks for a load balancer (liveness, readiness: PostgreSQL and Redis answer, not draining) and its metrics. */
import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Forbidden } from '@app/domain';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { mayScrape, readinessOf, scrape } from '@app/http';
import { REDIS } from '@app/queue';
import { PublicPage } from '../http/session.guard';

@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly database: DataSource,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @PublicPage({ unmetered: true })
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  @PublicPage({ unmetered: true })
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const readiness = await readinessOf({ database: this.database, redis: this.redis });
    res.status(readiness.ready ? 200 : 503).setHeader('Cache-Control', 'no-store');
    return readiness.body;
  }

  @PublicPage({ unmetered: true })
  @Get('metrics')
  async metrics(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) res: Response): Promise<string> {
    if (!mayScrape(this.config.metrics, authorization)) throw new Forbidden('Send the bearer METRICS_TOKEN to read the metrics.');
    const { contentType, text } = await scrape();
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    return text;
  }
}
