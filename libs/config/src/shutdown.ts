/** How a process's main runs and ends: graceful shutdown on signals, exit codes for configuration problems. */
import { ConfigError } from './config.schema';

/** On SIGTERM or SIGINT: close the app (HTTP drained, workers closed, connections ended), then
 *  exit 0; exit 1 if that takes longer than `timeoutMs` or fails. */
export function exitGracefully(app: { close(): Promise<void> }, timeoutMs: number): void {
  const stop = () => {
    setTimeout(() => process.exit(1), timeoutMs).unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Runs a process's main: a configuration problem exits 78 with its message, anything else 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(error instanceof ConfigError ? 78 : 1);
  });
}
