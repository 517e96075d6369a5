import { createServer } from 'node:net';

/** A loopback port nothing listens on now, for a process a script or a test starts (a server, a redis-server, HAProxy). */
export const freePort = (): Promise<number> =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
