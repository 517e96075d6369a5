/**
 * A TCP proxy between a process and PostgreSQL that records each statement the process runs
 * (its SQL, its text parameters and how long it took, Bind to ReadyForQuery), reading the wire
 * protocol's messages as they pass. The national bench starts the API behind it, to find the
 * statements over 10 ms behind each measured page and EXPLAIN (ANALYZE, BUFFERS) them.
 */
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

export interface CapturedStatement {
  sql: string;
  params: (string | null)[];
  ms: number;
}

/** Messages of one direction of the stream: the first of the client's has no type byte (startup). */
class MessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  constructor(
    private startup: boolean,
    private readonly onMessage: (type: string, body: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (this.startup) {
        if (this.buffer.length < 4) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        this.buffer = this.buffer.subarray(length);
        // An SSL or GSS request is followed by another startup message.
        if (code !== 80877103 && code !== 80877104) this.startup = false;
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < length + 1) return;
      this.onMessage(String.fromCharCode(this.buffer[0]), this.buffer.subarray(5, length + 1));
      this.buffer = this.buffer.subarray(length + 1);
    }
  }
}

const cstring = (body: Buffer, at: number): [string, number] => {
  const end = body.indexOf(0, at);
  return [body.toString('utf8', at, end), end + 1];
};

export class StatementCapture {
  private server?: Server;
  readonly statements: CapturedStatement[] = [];
  recording = false;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<number> {
    this.server = createServer((client) => this.connection(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  close(): void {
    this.server?.close();
  }

  private connection(client: Socket): void {
    const server = connect(this.target.port, this.target.host);
    // As pg's own sockets are: with Nagle's algorithm a message that follows another unacknowledged
    // one waits for its ACK (up to 40 ms of delayed ACK), and every statement behind the proxy paid it.
    client.setNoDelay(true);
    server.setNoDelay(true);
    const named = new Map<string, string>();
    let unnamed = '';
    const pending: { sql: string; params: (string | null)[]; started: number }[] = [];
    const fromClient = new MessageReader(true, (type, body) => {
      if (type === 'P') {
        const [name, at] = cstring(body, 0);
        const [sql] = cstring(body, at);
        if (name) named.set(name, sql);
        else unnamed = sql;
      } else if (type === 'B') {
        const [statement, afterName] = cstring(body, cstring(body, 0)[1]);
        let at = afterName;
        const formats = body.readInt16BE(at);
        at += 2 + formats * 2;
        const count = body.readInt16BE(at);
        at += 2;
        const params: (string | null)[] = [];
        for (let i = 0; i < count; i++) {
          const length = body.readInt32BE(at);
          at += 4;
          if (length < 0) params.push(null);
          else {
            params.push(body.toString('utf8', at, at + length));
            at += length;
          }
        }
        pending.push({ sql: statement ? (named.get(statement) ?? '') : unnamed, params, started: performance.now() });
      } else if (type === 'Q') {
        pending.push({ sql: cstring(body, 0)[0], params: [], started: performance.now() });
      }
    });
    const fromServer = new MessageReader(false, (type) => {
      if (type !== 'Z') return;
      const done = pending.shift();
      if (done && this.recording) this.statements.push({ sql: done.sql, params: done.params, ms: performance.now() - done.started });
    });
    client.on('data', (chunk: Buffer) => {
      fromClient.push(chunk);
      server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => {
      fromServer.push(chunk);
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      server.destroy();
    };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
  }
}
