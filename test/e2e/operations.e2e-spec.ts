import request from 'supertest';
import { ApplicationConfig } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { Factory, TestApi, createTestApi } from '@test/support';

describe('operations', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(() => api.close());

  it('GET /health answers 200 when PostgreSQL and Redis answer, without a token', async () => {
    const res = await request(api.http).get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('runs requests through no global interceptor and one guard, ours (the CLS module’s idle ones are left out)', () => {
    const config = api.app.get(ApplicationConfig);
    expect(config.getGlobalInterceptors()).toEqual([]);
    expect(config.getGlobalGuards().map((g) => g.constructor.name)).toEqual(['AuthGuard']);
  });

  it('serves Swagger UI at /docs and OpenAPI 3 at /docs-json describing every route', async () => {
    const ui = await request(api.http).get('/docs').expect(200);
    expect(ui.text).toMatch(/swagger/i);
    // Its script and styles are served too (from swagger-ui-dist).
    const assets = [...ui.text.matchAll(/(?:src|href)="\.?\/?([\w./-]+\.(?:js|css))"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets)
      await request(api.http)
        .get(`/docs/${asset.replace(/^docs\//, '')}`)
        .expect(200);
    const doc = await request(api.http).get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/v1/auth/login',
        '/v1/me',
        '/v1/organisations',
        '/v1/users',
        '/v1/partnerships',
        '/v1/partnerships/{id}',
        '/v1/partnerships/{id}/table',
        '/v1/partnerships/{id}/outcomes',
        '/v1/partnerships/{id}/anchors',
        '/v1/partnerships/{id}/anchors/{anchorId}',
      ]),
    );
    expect(doc.body.components.securitySchemes.bearer).toBeDefined();
    // Each event type's fields are a schema of the events body.
    const body = doc.body.paths['/v1/cycles/{id}/events'].post.requestBody.content['application/json'].schema;
    expect(body.oneOf.length).toBeGreaterThanOrEqual(19);
    expect(doc.body.components.schemas.ReviseProblemEvent.properties.statement).toMatchObject({ maxLength: 20000 });
    expect(doc.body.components.schemas.AppraiseOptionEvent.required).toEqual(expect.arrayContaining(['optionId', 'scores']));
  });

  it('GET /health answers 503 problem+json when the database is gone', async () => {
    const separate = await createTestApi();
    try {
      const factory = await Factory.create(separate.http);
      await separate.app.get(DataSource).destroy();
      const res = await request(separate.http).get('/health').expect(503);
      // Any route that needs the database answers 503 (never 500) and says nothing changed.
      const me = await factory.admin.get('/v1/me').expect(503);
      expect(me.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(me.headers['retry-after']).toBe('5');
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.checks.error.database.status).toBe('down');
    } finally {
      await separate.close().catch(() => undefined);
    }
  });
});
