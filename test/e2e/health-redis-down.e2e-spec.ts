import request from 'supertest';
import { TestApi, createTestApi } from '@test/support';

describe('health with Redis down', () => {
  let api: TestApi;

  beforeAll(async () => {
    // Nothing listens here: this file's app sees Redis as down (config is read per test file).
    process.env.REDIS_URL = 'redis://127.0.0.1:6390';
    api = await createTestApi();
  });
  afterAll(() => api.close());

  it('answers 503 and names Redis', async () => {
    const res = await request(api.http).get('/health').expect(503);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.checks.error.redis.status).toBe('down');
    expect(res.body.checks.info.database.status).toBe('up');
  });

  it('a login, which needs Redis for its limits, answers 503 (never 500)', async () => {
    const res = await request(api.http).post('/v1/auth/login').send({ email: 'a@b.c', password: 'whatever-password' });
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
