import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** A real HTTP server in the test that records what is posted to it, and answers each path as told (200 unless set). */
export class TestReceiver {
  /** What arrived, with when (wall clock, ms). */
  readonly received: { path: string; headers: IncomingHttpHeaders; body: string; answered: number; at: number }[] = [];
  /** Per path: the statuses to answer next, in order (then 200). */
  private readonly scripts = new Map<string, number[]>();
  /** Paths that always answer this status. */
  private readonly fixed = new Map<string, number>();
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const status = this.fixed.get(path) ?? this.scripts.get(path)?.shift() ?? 200;
      this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: status, at: Date.now() });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  answer(path: string, ...statuses: number[]): void {
    this.scripts.set(path, statuses);
  }

  alwaysAnswer(path: string, status: number): void {
    this.fixed.set(path, status);
  }

  on(path: string) {
    return this.received.filter((r) => r.path === path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
