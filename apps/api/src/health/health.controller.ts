/** The health check for load balancers: whether PostgreSQL and Redis answer, and whether the daily checkpoints are signed. */
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readinessOf } from '@app/http';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import IORedis from 'ioredis';
import { REDIS } from '@app/queue';
import { AuditSigningKey } from '@app/cycles';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../http/auth.guard';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: IORedis,
    private readonly signing: AuditSigningKey,
    @InjectDataSource() private readonly checkpoints: DataSource,
  ) {}

  @Public({ unmetered: true })
  @Get()
  @HealthCheck()
  @ApiOperation({ summary: '200 when PostgreSQL and Redis answer, 503 otherwise; `auditSigning` says whether the daily checkpoints are signed (AUDIT_SIGNING_KEY)' })
  check() {
    return this.health.check([() => this.database.pingCheck('database', { timeout: 1500 }), () => this.redisCheck(), () => this.signingCheck()]);
  }

  @Public({ unmetered: true })
  @Get('live')
  @ApiOperation({ summary: '200 while the process answers (liveness: restart it when this fails)' })
  live() {
    return { status: 'ok' };
  }

  @Public({ unmetered: true })
  @Get('ready')
  @ApiOperation({ summary: '200 when PostgreSQL and Redis answer; 503 when either does not, or while the process drains after SIGTERM (readiness: send it no requests)' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const readiness = await readinessOf({ database: this.checkpoints, redis: this.redis });
    reply.status(readiness.ready ? 200 : 503);
    return readiness.body;
  }

  /**
   * Informative, never down: which audit key this process holds (the worker signs; the API needs
   * the public key only) and the newest day signed. An installation without AUDIT_SIGNING_KEY
   * still serves, and says that nothing is signed.
   */
  private async signingCheck() {
    const key = this.signing.get();
    const indicator = this.indicators.check('auditSigning');
    const [{ day }]: { day: string | null }[] = await this.checkpoints.query(`SELECT to_char(max(day), 'YYYY-MM-DD') AS day FROM signed_checkpoints`).catch(() => [{ day: null }]);
    if (!key) return indicator.up({ signing: false, latestDay: day, message: 'AUDIT_SIGNING_KEY is unset: no checkpoint of the histories is signed' });
    return indicator.up({ signing: true, key: key.privateKey ? 'private' : 'public', keyId: key.keyId, latestDay: day });
  }

  private async redisCheck() {
    const indicator = this.indicators.check('redis');
    try {
      const reply = await Promise.race([this.redis.ping(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout after 1500 ms')), 1500))]);
      return reply === 'PONG' ? indicator.up() : indicator.down({ message: `unexpected reply ${reply}` });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
