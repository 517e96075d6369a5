import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { AccountsModule } from '@app/accounts';
import { APP_CONFIG, AppConfig, AppConfigModule } from '@app/config';
import { CyclesModule } from '@app/cycles';
import { DatabaseModule } from '@app/database';
import { MilestonesModule } from '@app/milestones';
import { PartnershipsModule } from '@app/partnerships';
import { QueueModule } from '@app/queue';
import { AuthController } from './accounts/auth.controller';
import { OrganisationsController } from './accounts/organisations.controller';
import { AdminBootstrap } from './accounts/admin.bootstrap';
import { HealthController } from './health/health.controller';
import { AuthGuard } from './http/auth.guard';
import { ProblemFilter } from './http/problem.filter';
import { validationPipe } from './http/validation';
import { PartnershipsController } from './partnerships/partnerships.controller';
import { CyclesController } from './cycles/cycles.controller';
import { MilestonesController } from './cycles/milestones.controller';
import { CalendarController } from './partnerships/calendar.controller';
import { MeController } from './accounts/me.controller';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** pino-http settings: a request id on every line (echoed as x-request-id), never a password or token. */
export function pinoHttpOptions(config: Pick<AppConfig, 'logLevel'>): Options {
  return {
    level: config.logLevel,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.accessToken', '*.token'],
      censor: '[redacted]',
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/health' },
  };
}

export const loggerModule = LoggerModule.forRootAsync({
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => ({ pinoHttp: pinoHttpOptions(config) }),
});

@Module({
  imports: [
    AppConfigModule,
    loggerModule,
    DatabaseModule,
    QueueModule,
    TerminusModule.forRoot({ logger: false }),
    AccountsModule,
    PartnershipsModule,
    CyclesModule,
    MilestonesModule,
  ],
  controllers: [HealthController, AuthController, OrganisationsController, PartnershipsController, CalendarController, CyclesController, MilestonesController, MeController],
  providers: [
    AdminBootstrap,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_PIPE, useFactory: validationPipe },
    { provide: APP_FILTER, useClass: ProblemFilter },
  ],
})
export class AppModule {}
