/** The OpenAPI document built without a server, a database or Redis, for `npm run client`. */
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { openApiDocument } from './bootstrap';

/**
 * The OpenAPI document `/docs-json` serves, built without a server, a database or Redis: Nest's
 * preview mode reads the modules' controllers and decorators without making any provider.
 * `npm run client` writes it, and the typed client, from this.
 */
export async function offlineOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(AppModule, { preview: true, logger: false, abortOnError: false });
  try {
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}
