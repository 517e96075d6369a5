/** How a process's main runs and ends: graceful shutdown on signals, exit codes for configuration problems. */
import { ConfigError } from './config.schema';

/** Whether this process is draining: from the signal on, /health/ready answers 503 while it finishes what it holds. */
export const lifecycle = { draining: false };

/**
 * On SIGTERM or SIGINT: draining at once (readiness 503, so the load balancer sends no more), then
 * after `drainDelayMs` close the app (HTTP drained, workers closed, connections ended) and exit 0;
 * exit 1 if closing takes longer than `timeoutMs` or fails.
 */
export function exitGracefully(app: { close(): Promise<void> }, timeoutMs: number, drainDelayMs = 0): void {
  const stop = () => {
    lifecycle.draining = true;
    setTimeout(() => process.exit(1), drainDelayMs + timeoutMs).unref();
    setTimeout(() => {
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    }, drainDelayMs).unref();
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
