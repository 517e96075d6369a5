/** Building the web app around its module (cookies, headers, static files, views), for main.ts and the tests alike. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import express, { NextFunction, Request, Response } from 'express';
import nunjucks from 'nunjucks';
import { AppConfig, loadConfig } from '@app/config';
import { hardenApp, httpRequestDuration, notWellFormed, wellFormedEncoded, wellFormedUrl } from '@app/http';
import { registerFilters } from './views/filters';
import { registerKeptMacros } from './views/kept';
import { speedUpNunjucks } from './views/nunjucks-speed';
import { WebModule } from './web.module';

/** The repository's root, from wherever this file runs (sources under ts-node, or dist/). */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('no package.json above ' + __dirname);
    dir = up;
  }
  return dir;
}

/** Everything the web app needs around its module: used by main.ts and by the tests alike. */
export function configureWeb(app: NestExpressApplication, config: AppConfig): void {
  const root = projectRoot();
  const govuk = join(root, 'node_modules/govuk-frontend/dist');
  hardenApp(app, config, {
    // The GOV.UK template's one inline script marks the body as JavaScript-enabled.
    'script-src': ["'self'", "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"],
    'img-src': ["'self'", 'data:'],
    // Stylesheets only, never inline styles (helmet's default allows them): the pages and their
    // charts (Vega's SVG draws with attributes) carry no style attribute or element.
    'style-src': ["'self'"],
    'form-action': ["'self'"],
    // Outside production the app is often opened over plain HTTP by address (a laptop, a test
    // server): upgrading its styles and scripts to HTTPS would leave the pages bare.
    'upgrade-insecure-requests': config.env === 'production' ? [] : null,
  });
  // Every request in the metrics, by its route's template (an unmatched path is one label, not its own).
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = (req as Request & { route?: { path?: string } }).route?.path;
      httpRequestDuration.observe({ method: req.method, route: route ? `${req.baseUrl}${route}` : 'unmatched', status: String(res.statusCode) }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  });
  app.use(cookieParser());
  // Text that is not well-formed (an address or a form whose percent-encoding decodes to bytes that
  // are not UTF-8) is refused with a 400 page: the parsers would turn it into U+FFFD silently.
  app.use((req: Request, _res: Response, next: NextFunction) => next(wellFormedUrl(req.originalUrl) ? undefined : notWellFormed(['address'])));
  app.use(
    express.urlencoded({
      extended: false,
      limit: config.http.bodyLimit,
      parameterLimit: 200,
      verify: (_req, _res, bytes) => {
        if (!wellFormedEncoded(bytes)) throw notWellFormed(['body']);
      },
    }),
  );
  app.use('/assets', express.static(join(govuk, 'govuk/assets'), { maxAge: '1d' }));
  app.use('/styles', express.static(join(govuk, 'govuk'), { index: false, maxAge: '1d' }));
  app.use('/static', express.static(join(root, 'apps/web/static'), { maxAge: '1h' }));
  const env = nunjucks.configure([join(root, 'apps/web/views'), govuk], {
    autoescape: true,
    express: app.getHttpAdapter().getInstance(),
    // Compiled once: compiling a page's templates costs more than drawing it (WEB_TEMPLATES_RELOAD=true while editing them).
    noCache: config.web.templatesReload,
  });
  registerFilters(env);
  registerKeptMacros(env);
  speedUpNunjucks(env);
  app.setViewEngine('njk');
}

export async function createWeb(config: AppConfig = loadConfig()): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(WebModule, { bodyParser: false, bufferLogs: true });
  configureWeb(app, config);
  return app;
}
