/** The web app's checks for a load balancer: liveness, and readiness (PostgreSQL and Redis answer, not draining). */
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { readinessOf } from '@app/http';
import { REDIS } from '@app/queue';
import { PublicPage } from '../http/session.guard';

@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly database: DataSource,
    @Inject(REDIS) private readonly redis: IORedis,
  ) {}

  @PublicPage({ unmetered: true })
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @PublicPage({ unmetered: true })
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const readiness = await readinessOf({ database: this.database, redis: this.redis });
    res.status(readiness.ready ? 200 : 503).setHeader('Cache-Control', 'no-store');
    return readiness.body;
  }
}
