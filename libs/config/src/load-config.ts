/** Reading the configuration once from the environment (and an optional .env file). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppConfig, parseConfig } from './config.schema';

let cached: AppConfig | undefined;

/**
 * The one place that reads process.env. A `.env` file in the working directory may supply
 * defaults; variables already in the process environment win (Node's loadEnvFile never
 * overwrites them).
 */
export function loadConfig(): AppConfig {
  if (cached) return cached;
  const envFile = resolve(process.cwd(), '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  cached = parseConfig(process.env);
  return cached;
}
