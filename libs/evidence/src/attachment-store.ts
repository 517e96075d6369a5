/**
 * Where attachments' bytes are kept, behind one interface: PostgreSQL by default (chunks of 1 MiB in
 * attachment_chunks, written in the upload's transaction), or an S3-compatible store
 * (ATTACHMENT_STORE=s3). Bytes stream in and out; no store holds a whole file in memory.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Transactions } from '@app/database';
import type { AttachmentStoreKind } from './attachment.entity';

export const CHUNK_BYTES = 1024 * 1024;
/** How much of a chunk a download reads at once. */
const READ_BYTES = 256 * 1024;

export interface AttachmentStore {
  readonly kind: AttachmentStoreKind;
  /**
   * Keeps the bytes of attachment `id` as they come. PostgreSQL writes them in the caller's
   * transaction (a failure rolls them back with it); S3 aborts its multipart upload on a failure.
   */
  put(id: string, bytes: AsyncIterable<Buffer>): Promise<void>;
  /** Removes what `put` kept, when the transaction around it failed after it (S3; PostgreSQL's roll back). */
  discard(ids: string[]): Promise<void>;
  /** The bytes, as they are read. */
  get(id: string): Promise<Readable>;
  /** How many of these attachments have bytes kept (for the tests and the bench: nothing left behind). */
  count(ids: string[]): Promise<number>;
}

/**
 * The pieces of a stream grouped into runs of exactly `size` bytes (the last one shorter), cut where
 * a run ends: each run is the pieces as they came (subarrays where one is cut), never copied together.
 */
async function* runsOf(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<{ pieces: Buffer[]; bytes: number }> {
  let pieces: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of source) {
    let rest = chunk;
    while (bytes + rest.length >= size) {
      const take = size - bytes;
      pieces.push(rest.subarray(0, take));
      yield { pieces, bytes: size };
      pieces = [];
      bytes = 0;
      rest = rest.subarray(take);
    }
    if (rest.length) {
      pieces.push(rest);
      bytes += rest.length;
    }
  }
  if (bytes) yield { pieces, bytes };
}

/** COPY's binary format (PostgreSQL's "COPY", File Formats): the signature, no flags, no header extension; and the end. */
const COPY_SIGNATURE = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const COPY_END = Buffer.from([0xff, 0xff]);
const COPY_CHUNKS = 'COPY attachment_chunks (attachment_id, seq, data) FROM STDIN (FORMAT binary)';

/** A row's three fields up to its data's bytes: the attachment's id (a uuid's 16 bytes), seq (int4) and the data's length. */
function rowHead(uuid: Buffer, seq: number, dataBytes: number): Buffer {
  const head = Buffer.allocUnsafe(2 + 4 + 16 + 4 + 4 + 4);
  let at = head.writeInt16BE(3, 0);
  at = head.writeInt32BE(16, at);
  at += uuid.copy(head, at);
  at = head.writeInt32BE(4, at);
  at = head.writeInt32BE(seq, at);
  head.writeInt32BE(dataBytes, at);
  return head;
}

/**
 * The attachment's rows of attachment_chunks in COPY's binary format: a chunk's bytes go to the
 * socket as they came from the upload, a small head before each (no hex text, no copy of the chunk).
 */
export async function* copyRows(id: string, bytes: AsyncIterable<Buffer>, chunkBytes = CHUNK_BYTES): AsyncGenerator<Buffer> {
  const uuid = Buffer.from(id.replaceAll('-', ''), 'hex');
  yield COPY_SIGNATURE;
  let seq = 0;
  for await (const run of runsOf(bytes, chunkBytes)) {
    yield rowHead(uuid, seq++, run.bytes);
    yield* run.pieces;
  }
  yield COPY_END;
}

/**
 * Chunks of 1 MiB in attachment_chunks, copied in (COPY FROM STDIN, binary) on the upload's
 * transaction's connection as they stream: each piece is written to PostgreSQL's socket as it came,
 * and the next is read from the upload only once the socket has taken it. A failure part way (the
 * limit, a refused type, the client gone) ends the COPY with CopyFail, and the transaction rolls back.
 */
@Injectable()
export class PostgresAttachmentStore implements AttachmentStore {
  readonly kind = 'postgres' as const;

  constructor(private readonly transactions: Transactions) {}

  async put(id: string, bytes: AsyncIterable<Buffer>): Promise<void> {
    const client = await this.transactionClient();
    await pipeline(copyRows(id, bytes), client.query(copyFrom(COPY_CHUNKS)));
  }

  /** The connection of the transaction under way: COPY is pg's, outside TypeORM's query methods. */
  private async transactionClient(): Promise<PoolClient> {
    const runner = this.transactions.manager.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('attachment chunks are written in the upload’s transaction');
    return (await runner.connect()) as PoolClient;
  }

  async discard(): Promise<void> {
    // Written in the transaction that failed: rolled back with it.
  }

  async get(id: string): Promise<Readable> {
    const manager = this.transactions.manager;
    // A slice of a chunk at a time, as the client takes them (Readable.from asks for the next when it
    // needs it): bytea comes back as hex text, twice its size, so a slice is a quarter of a chunk.
    async function* slices(): AsyncGenerator<Buffer> {
      for (let seq = 0; ; seq++) {
        for (let from = 0; ; from += READ_BYTES) {
          const rows: { data: Buffer; bytes: number }[] = await manager.query(
            `SELECT substring(data FROM $3 FOR $4) AS data, octet_length(data) AS bytes FROM attachment_chunks WHERE attachment_id = $1 AND seq = $2`,
            [id, seq, from + 1, READ_BYTES],
          );
          if (!rows.length) return;
          yield rows[0].data;
          if (from + READ_BYTES >= rows[0].bytes) break;
        }
      }
    }
    return Readable.from(slices(), { objectMode: false, highWaterMark: 1 });
  }

  async count(ids: string[]): Promise<number> {
    const [row]: { n: number }[] = await this.transactions.manager.query(`SELECT count(DISTINCT attachment_id)::int AS n FROM attachment_chunks WHERE attachment_id = ANY($1::uuid[])`, [ids]);
    return row.n;
  }
}

/**
 * The AWS SDK, loaded when an S3 store is first made: ~3 MB of live heap that every role would
 * otherwise carry with the default PostgreSQL store.
 */
let sdk: Promise<[typeof import('@aws-sdk/client-s3'), typeof import('@aws-sdk/lib-storage')]> | undefined;
const awsSdk = () => (sdk ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]));

/** Objects named by the attachment's id in S3_BUCKET, uploaded in parts of 5 MiB, one part in flight. */
@Injectable()
export class S3AttachmentStore implements AttachmentStore, OnModuleDestroy {
  readonly kind = 's3' as const;
  private readonly client: Promise<S3Client>;
  private readonly bucket: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const s3 = config.attachments.s3;
    if (!s3) throw new Error('ATTACHMENT_STORE is not s3');
    this.bucket = s3.bucket;
    this.client = awsSdk().then(
      ([{ S3Client }]) =>
        new S3Client({
          region: s3.region,
          ...(s3.endpoint && { endpoint: s3.endpoint, forcePathStyle: true }),
          ...(s3.accessKeyId && s3.secretAccessKey && { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }),
        }),
    );
  }

  async put(id: string, bytes: AsyncIterable<Buffer>): Promise<void> {
    // The SDK aborts the multipart upload when the body fails (the limit, a refused type, the client gone).
    const [, { Upload }] = await awsSdk();
    const upload = new Upload({ client: await this.client, params: { Bucket: this.bucket, Key: id, Body: Readable.from(bytes) }, queueSize: 1, partSize: 5 * 1024 * 1024, leavePartsOnError: false });
    await upload.done();
  }

  async discard(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const [{ DeleteObjectsCommand }] = await awsSdk();
    await (await this.client).send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: ids.map((Key) => ({ Key })), Quiet: true } }));
  }

  async get(id: string): Promise<Readable> {
    const [{ GetObjectCommand }] = await awsSdk();
    const answer = await (await this.client).send(new GetObjectCommand({ Bucket: this.bucket, Key: id }));
    return answer.Body as Readable;
  }

  async count(ids: string[]): Promise<number> {
    const [{ GetObjectCommand }] = await awsSdk();
    const client = await this.client;
    let n = 0;
    for (const id of ids) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: id }));
        (answer.Body as Readable).destroy();
        n++;
      } catch (error) {
        if ((error as { name?: string }).name !== 'NoSuchKey') throw error;
      }
    }
    return n;
  }

  onModuleDestroy(): Promise<void> {
    return this.client.then((client) => client.destroy());
  }
}

/** The store new uploads go to (ATTACHMENT_STORE), and the one that holds an attachment's bytes by its row's `store`. */
@Injectable()
export class AttachmentStores {
  private s3?: S3AttachmentStore;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    readonly postgres: PostgresAttachmentStore,
  ) {}

  /** Where new uploads go. */
  get current(): AttachmentStore {
    return this.of(this.config.attachments.store);
  }

  of(kind: AttachmentStoreKind): AttachmentStore {
    if (kind === 'postgres') return this.postgres;
    this.s3 ??= new S3AttachmentStore(this.config);
    return this.s3;
  }

  onModuleDestroy(): Promise<void> | undefined {
    return this.s3?.onModuleDestroy();
  }
}
