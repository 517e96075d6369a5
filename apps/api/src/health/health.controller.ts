import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import IORedis from 'ioredis';
import { REDIS } from '@app/queue';
import { AuditSigningKey } from '@app/cycles';
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
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  @ApiOperation({ summary: '200 when PostgreSQL and Redis answer, 503 otherwise; `auditSigning` says whether the daily checkpoints are signed (AUDIT_SIGNING_KEY)' })
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1500 }),
      () => this.redisCheck(),
      () => this.signingCheck(),
    ]);
  }

  /** Informative, never down: an installation without AUDIT_SIGNING_KEY still serves (and says it signs nothing). */
  private signingCheck() {
    const key = this.signing.get();
    return this.indicators.check('auditSigning').up(
      key?.privateKey ? { signing: true, keyId: key.keyId } : { signing: false, message: 'AUDIT_SIGNING_KEY is unset: no checkpoint of the histories is signed' },
    );
  }

  private async redisCheck() {
    const indicator = this.indicators.check('redis');
    try {
      const reply = await Promise.race([
        this.redis.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout after 1500 ms')), 1500)),
      ]);
      return reply === 'PONG' ? indicator.up() : indicator.down({ message: `unexpected reply ${reply}` });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
