import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { createApi } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApi(config);
  await app.listen(config.port, '0.0.0.0');
  // Drain: Nest's shutdown hooks close the HTTP server (in-flight requests finish) and then the
  // modules; if that takes too long, leave anyway.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref());
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78);
  }
  console.error(error);
  process.exit(1);
});
