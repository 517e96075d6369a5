import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { ConfigError, parseConfig } from '@app/config';
import { RedisTarget, bullConnection, createRedis, sentinelProblem } from '@app/queue';
import { createTestApi, freePort, waitFor } from '@test/support';

/**
 * Redis behind Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_NAME): a primary, a replica and a
 * sentinel of this test's own (Debian's redis-server, run as a sentinel too), on ports of its own.
 * Every connection finds the primary through the sentinel, and follows it when it fails over.
 */
describe('Redis through Sentinel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cocommission-sentinel-'));
  const children: ChildProcess[] = [];
  let primaryPort: number;
  let replicaPort: number;
  let sentinelPort: number;
  let target: Exclude<RedisTarget, string>;
  const NAME = 'cocommission-test';

  const server = (args: string[]) => {
    const child = spawn('redis-server', args, { stdio: 'ignore', cwd: dir });
    children.push(child);
    return child;
  };
  const answers = async (port: number) => {
    const probe = new IORedis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  };
  let primary: ChildProcess;

  beforeAll(async () => {
    [primaryPort, replicaPort, sentinelPort] = [await freePort(), await freePort(), await freePort()];
    const volatile = ['--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--dir', dir];
    primary = server(['--port', String(primaryPort), ...volatile]);
    server(['--port', String(replicaPort), ...volatile, '--replicaof', '127.0.0.1', String(primaryPort)]);
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${NAME} 127.0.0.1 ${primaryPort} 1`,
        `sentinel down-after-milliseconds ${NAME} 1000`,
        `sentinel failover-timeout ${NAME} 10000`,
      ].join('\n') + '\n',
    );
    server([conf, '--sentinel']);
    await waitFor(async () => (await answers(primaryPort)) && (await answers(replicaPort)) && (await answers(sentinelPort)), 15000, 'the primary, the replica and the sentinel');
    target = { url: 'redis://127.0.0.1:1', sentinels: { hosts: [{ host: '127.0.0.1', port: sentinelPort }], name: NAME } };
    // The sentinel has found the replica (it must, to fail over to it).
    await waitFor(
      async () => {
        const sentinel = new IORedis({ port: sentinelPort });
        try {
          const replicas = (await sentinel.call('SENTINEL', 'replicas', NAME)) as unknown[];
          return replicas.length > 0;
        } finally {
          sentinel.disconnect();
        }
      },
      20000,
      'the sentinel to see the replica',
    );
  }, 60000);

  afterAll(async () => {
    // Waited for: a child not yet reaped is a handle that keeps this suite's Jest worker from exiting.
    const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
    const exits = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of running) child.kill('SIGKILL');
    await Promise.all(exits);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the settings, and refuses ones that do not parse or do not go together, naming the variable', () => {
    const config = parseConfig({ NODE_ENV: 'test', REDIS_SENTINELS: `127.0.0.1:${sentinelPort}, [::1]:26379`, REDIS_SENTINEL_NAME: NAME, REDIS_SENTINEL_PASSWORD: 'sentinel-secret' });
    expect(config.redis.sentinels).toEqual({
      hosts: [
        { host: '127.0.0.1', port: sentinelPort },
        { host: '::1', port: 26379 },
      ],
      name: NAME,
      password: 'sentinel-secret',
    });
    expect(() => parseConfig({ NODE_ENV: 'test', REDIS_SENTINELS: 'sentinel-without-a-port', REDIS_SENTINEL_NAME: NAME })).toThrow(/REDIS_SENTINELS/);
    expect(() => parseConfig({ NODE_ENV: 'test', REDIS_SENTINELS: `127.0.0.1:${sentinelPort}` })).toThrow(/REDIS_SENTINEL_NAME is required/);
    expect(() => parseConfig({ NODE_ENV: 'test', REDIS_SENTINEL_NAME: NAME })).toThrow(/without REDIS_SENTINELS/);
  });

  it('a client and BullMQ find the primary through the sentinel', async () => {
    const client = createRedis(target, 'client');
    const direct = new IORedis({ port: primaryPort });
    const queue = new Queue('sentinel-test', { connection: bullConnection(target) });
    const worker = new Worker('sentinel-test', async (job) => job.data.n * 2, { connection: bullConnection(target) });
    const events = new QueueEvents('sentinel-test', { connection: bullConnection(target) });
    try {
      await client.set('through-sentinel', 'yes');
      expect(await direct.get('through-sentinel')).toBe('yes');
      await events.waitUntilReady();
      const job = await queue.add('double', { n: 21 });
      expect(await job.waitUntilFinished(events, 10000)).toBe(42);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      client.disconnect();
      direct.disconnect();
    }
  });

  it('a process whose sentinel name no sentinel knows does not start: the message names REDIS_SENTINEL_NAME', async () => {
    expect(await sentinelProblem(target)).toBeUndefined();
    expect(await sentinelProblem({ ...target, sentinels: { hosts: [{ host: '127.0.0.1', port: sentinelPort }], name: 'no-such-primary' } })).toMatch(/^REDIS_SENTINEL_NAME=no-such-primary: /);
    expect(await sentinelProblem({ ...target, sentinels: { hosts: [{ host: '127.0.0.1', port: await freePort() }], name: NAME } }, 500)).toMatch(/^REDIS_SENTINELS: none of /);
    const boot = createTestApi({ config: (config) => ({ ...config, redis: { ...config.redis, sentinels: { hosts: [{ host: '127.0.0.1', port: sentinelPort }], name: 'no-such-primary' } } }) });
    await expect(boot).rejects.toThrow(ConfigError);
    await expect(boot).rejects.toThrow(/REDIS_SENTINEL_NAME=no-such-primary/);
  });

  it('follows a failover: the primary killed, the sentinel promotes the replica, the same client writes on', async () => {
    const client = createRedis(target, 'client');
    try {
      await client.set('before', '1');
      const replica = new IORedis({ port: replicaPort });
      try {
        await waitFor(async () => (await replica.get('before')) === '1', 10000, 'the replica to have the key');
      } finally {
        replica.disconnect();
      }
      primary.kill('SIGKILL');
      await waitFor(
        async () => {
          try {
            await client.set('after', '2');
            return (await client.get('after')) === '2';
          } catch {
            return false;
          }
        },
        30000,
        'a write after the failover',
      );
      const promoted = new IORedis({ port: replicaPort });
      try {
        expect(await promoted.get('after')).toBe('2');
        expect(await promoted.get('before')).toBe('1');
      } finally {
        promoted.disconnect();
      }
    } finally {
      client.disconnect();
    }
  }, 60000);
});
