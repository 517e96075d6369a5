import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@app/config';

/**
 * What every HTTP app of ours starts with: structured logs, no `x-powered-by`, the proxy setting,
 * and helmet's headers with the app's own additions to the Content-Security-Policy (null drops one
 * of helmet's defaults).
 */
export function hardenApp(app: NestExpressApplication, config: AppConfig, csp: Record<string, string[] | null>): void {
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // A number of hops or a list of addresses, never `true` (the configuration refuses it).
  app.set('trust proxy', config.http.trustProxy);
  app.use(helmet({ contentSecurityPolicy: { directives: csp } }));
}
