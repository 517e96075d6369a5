import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { createApi } from './bootstrap';
import { exitGracefully } from '@app/config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApi(config);
  await app.listen(config.port, '0.0.0.0');
  exitGracefully(app, config.shutdownTimeoutMs);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78);
  }
  console.error(error);
  process.exit(1);
});
