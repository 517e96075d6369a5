/** The validated configuration and the clock, provided globally to every Nest module. */
import { Global, Module } from '@nestjs/common';
import { Clock, OffsetClock, systemClock } from '@app/domain';
import type { AppConfig } from './config.schema';
import { loadConfig } from './load-config';

export const APP_CONFIG = Symbol('APP_CONFIG');
/** The services' clock (`Clock` from the domain): inject it wherever the time of day matters. */
export const CLOCK = Symbol('CLOCK');

/** The clock the configuration asks for: the system's, or one moved to CLOCK_START. */
export const clockOf = (config: AppConfig): Clock => (config.clock.offsetMs ? new OffsetClock(config.clock.offsetMs) : systemClock);

@Global()
@Module({
  providers: [
    { provide: APP_CONFIG, useFactory: loadConfig },
    { provide: CLOCK, useFactory: clockOf, inject: [APP_CONFIG] },
  ],
  exports: [APP_CONFIG, CLOCK],
})
export class AppConfigModule {}
