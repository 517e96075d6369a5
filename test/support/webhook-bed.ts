import { Factory, startTestApi } from './factories';
import { TestApi } from './test-app';
import { TestReceiver } from './test-receiver';
import { TestWorker, createTestWorker, fastWorkerEnvironment } from './test-worker';

/**
 * What a webhook test file runs against: the real HTTP receiver, the API and (unless told not
 * to) the worker, started with the file's webhook settings in the environment (they are read at
 * start), which `close` puts back as they were.
 */
export class WebhookBed {
  readonly receiver = new TestReceiver();
  base!: string;
  api!: TestApi;
  factory!: Factory;
  worker?: TestWorker;
  private saved: Record<string, string | undefined> = {};

  async start(settings: Record<string, string>, options: { worker?: boolean } = {}): Promise<void> {
    this.base = await this.receiver.start();
    const all = { WEBHOOK_ALLOW_PRIVATE: 'true', ...settings };
    this.saved = Object.fromEntries(Object.keys(all).map((key) => [key, process.env[key]]));
    Object.assign(process.env, all);
    fastWorkerEnvironment();
    ({ api: this.api, factory: this.factory } = await startTestApi());
    if (options.worker !== false) await this.startWorker();
  }

  /** Starts the worker (when the file started without it, or after `stopWorker`). */
  async startWorker(): Promise<void> {
    this.worker ??= await createTestWorker();
  }

  /** Stops the worker: deliveries then wait, pending. */
  async stopWorker(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.api?.close();
    await this.receiver.close();
    for (const [key, value] of Object.entries(this.saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
