import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { NextFunction, Request, Response } from 'express';
import { AppConfig, loadConfig } from '@app/config';
import { eventSchemaComponents, hardenApp } from '@app/http';
import { AppModule } from './app.module';
import { problem } from './http/problem';
import { sendProblem } from './http/problem.filter';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** Body parsing that answers problem+json: 400 for broken JSON, 413 too large, 415 not JSON. */
function jsonBodies(limit: string) {
  // PostgreSQL cannot store U+0000 in text or jsonb: refuse it at the door, as bad JSON.
  const reviver = (_key: string, value: unknown) => {
    if (typeof value === 'string' && value.includes('\u0000')) throw new SyntaxError('NUL characters are not accepted');
    return value;
  };
  const parse = express.json({ limit, strict: true, type: JSON_TYPES, reviver });
  return [
    (req: Request, res: Response, next: NextFunction) => {
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (hasBody && !req.is(JSON_TYPES)) {
        return sendProblem(res, problem(415, 'Send the body as JSON, with Content-Type: application/json.'), req);
      }
      return parse(req, res, next);
    },
    (err: { status?: number; type?: string }, req: Request, res: Response, next: NextFunction) => {
      if (err?.type === 'entity.too.large') {
        return sendProblem(res, problem(413, `The request body is larger than the limit of ${limit}.`), req);
      }
      if (err?.type === 'entity.parse.failed' || err?.status === 400) {
        return sendProblem(res, problem(400, 'The request body is not valid JSON.', { errors: [{ field: 'body', message: 'is not valid JSON' }] }), req);
      }
      if (err?.type) {
        return sendProblem(res, problem(err.status && err.status < 500 ? err.status : 400, 'The request body could not be read.'), req);
      }
      return next(err);
    },
  ];
}

export function openApiDocument(app: INestApplication) {
  const options = new DocumentBuilder()
    .setTitle('Cocommission API')
    .setDescription(
      'Councils, ICBs and voluntary and community organisations commissioning public services together. ' +
        'Every error is application/problem+json (RFC 9457).',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, options);
  // The events' bodies, from the catalogue's schemas (POST /v1/cycles/:id/events refers to them).
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...eventSchemaComponents() } };
  return document;
}

/** Everything the API needs around its module: used by main.ts and by the tests alike. */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  hardenApp(app, config, {
    // Swagger UI draws with inline styles and data: images.
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
  });
  app.use(...jsonBodies(config.http.bodyLimit));
  SwaggerModule.setup('docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}

export async function createApi(config: AppConfig = loadConfig()): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, bufferLogs: true });
  configureApp(app, config);
  return app;
}
