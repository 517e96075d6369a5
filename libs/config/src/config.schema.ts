/** The environment's schema: every setting the processes read, validated once at boot. */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { MAX_EMAIL_LENGTH, normaliseEmail } from '@app/domain';

/**
 * Values printed in this repository: accepted only with NODE_ENV=development or test set
 * explicitly (the admin must change the password at first sign-in), refused otherwise.
 */
export const DEV_DEFAULTS = {
  adminEmail: 'admin@cocommission.local',
  adminPassword: 'cocommission-admin',
  jwtSecret: 'cocommission-development-secret-do-not-use-in-production',
} as const;

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .default('false')
  .transform((value) => value === 'true' || value === '1');

/** The names proxy-addr (Express's `trust proxy`, Fastify's `trustProxy`) knows for ranges of addresses. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, a subnet (`10.0.0.0/8`, `fd00::/8`, `10.0.0.0/255.0.0.0`) or one of PROXY_RANGES. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  if (/^\d{1,3}$/.test(prefix)) return Number(prefix) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(prefix) === 4;
}

/**
 * Which proxies' `X-Forwarded-For` to believe: how many hops (`1` for one load balancer), or
 * their addresses and subnets, comma-separated. Never "every proxy" (`true`): any client could
 * then pick the address that login limits and logs see. `false` or `0`, the default, trusts none.
 */
const trustProxy = z
  .string()
  .default('0')
  .transform((value, ctx): number | string[] => {
    const trimmed = value.trim();
    if (trimmed === 'false') return 0;
    if (/^\d+$/.test(trimmed)) return Number(trimmed);
    if (/^(true|yes|on)$/i.test(trimmed)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'may not be "true": that trusts X-Forwarded-For from anyone, so any client could choose its address. Give the number of proxies in front of the app (e.g. 1) or their addresses or subnets, comma-separated (e.g. 10.0.0.0/8,loopback)',
      });
      return z.NEVER;
    }
    const entries = trimmed.split(',').map((e) => e.trim());
    const bad = entries.filter((e) => !isProxyAddress(e));
    if (bad.length) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a number of hops or a comma-separated list of addresses, subnets or ${PROXY_RANGES.join('/')}; not ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
      });
      return z.NEVER;
    }
    return entries;
  });

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.join(' or ')}//`,
  );

export const environmentSchema = z.object({
  // Unset counts as production (fail closed), but for JWT_SECRET: unset, a random one per process.
  NODE_ENV: z.enum(['development', 'test', 'production']).optional(),
  PORT: int(3000, 0).pipe(z.number().max(65535)),
  WEB_PORT: int(3001, 0).pipe(z.number().max(65535)),
  WEB_SESSION_TTL_SECONDS: int(28800, 60),
  WEB_TEMPLATES_RELOAD: flag,
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/cocommission'),
  // The tables' owner, for migrations only (default: DATABASE_URL, one role for both; see docs/security.md).
  MIGRATION_DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: int(20, 1),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  // Redis Sentinel instead of REDIS_URL: the sentinels, the primary's name, passwords and TLS.
  REDIS_SENTINELS: z
    .string()
    .regex(/^\s*[A-Za-z0-9.:[\]-]+:\d{1,5}\s*(,\s*[A-Za-z0-9.:[\]-]+:\d{1,5}\s*)*$/, 'must list the sentinels as host:port, comma-separated, e.g. 10.0.0.5:26379,10.0.0.6:26379')
    .optional(),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'may hold only letters, digits, "_", "." and "-"')
    .optional(),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  REDIS_TLS: flag,
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'may hold only letters, digits, "_", "." and "-"')
    .default('cocommission'),
  // The length first: the pattern never sees more than an address can hold.
  ADMIN_EMAIL: z.string().max(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`).pipe(z.email('must be an email address')).default(DEV_DEFAULTS.adminEmail),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: int(900, 60),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(5, 1),
  LOGIN_MAX_FAILURES_PER_ADDRESS: int(100, 1),
  LOGIN_FAILURE_WINDOW_SECONDS: int(900, 1),
  WRITE_RATE_PER_SECOND: int(20, 1),
  WRITE_BURST: int(100, 1),
  ANONYMOUS_READS_PER_MINUTE: int(300, 1),
  EXPENSIVE_READS_PER_MINUTE: int(60, 1),
  MAX_MILESTONES_PER_CYCLE: int(500, 1),
  MAX_OUTCOMES_PER_PARTNERSHIP: int(200, 1),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb)$/i, 'must look like 256kb or 1mb')
    .default('256kb'),
  TRUST_PROXY: trustProxy,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: int(10000, 0),
  DRAIN_DELAY_MS: int(0, 0),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  WORKER_METRICS_PORT: int(3002, 0).pipe(z.number().max(65535)),
  PUBLIC_URL: z.string().url().optional(),
  PUBLIC_WEB_URL: z.string().url().optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL, e.g. smtp://relay.council.gov.uk:587')
    .optional(),
  MAIL_FROM: z.string().min(3).max(320).default('Cocommission <no-reply@cocommission.local>'),
  SERVICE_OPERATOR: z.string().trim().min(1).max(200).optional(),
  CONTACT_EMAIL: z.string().trim().email('must be an email address').max(320).optional(),
  WEBHOOK_ALLOW_PRIVATE: flag,
  WEBHOOK_ATTEMPTS: int(12, 1),
  WEBHOOK_BACKOFF_MS: int(20000, 1),
  WEBHOOK_HOST_RATE: int(60, 1),
  WEBHOOK_HOST_WINDOW_SECONDS: int(60, 1),
  WORKER_CONCURRENCY: int(100, 1),
  MILESTONE_SWEEP_BATCH: int(500, 1),
  MILESTONE_JOB_GRACE_MS: int(2000, 0),
  MILESTONE_ATTEMPTS: int(5, 1),
  MILESTONE_BACKOFF_MS: int(2000, 1),
  WORKER_LOCK_DURATION_MS: int(30000, 1000),
  WORKER_STALLED_INTERVAL_MS: int(30000, 500),
  RELAY_INTERVAL_MS: int(200, 10),
  RECONCILE_INTERVAL_MS: int(300000, 1000),
  MAIL_ATTEMPTS: int(12, 1),
  MAIL_BACKOFF_MS: int(30000, 1),
  // An OCDS ocid prefix: "ocds-" and the publisher's registered letters (the Open Contracting Partnership gives them out).
  OCID_PREFIX: z
    .string()
    .regex(/^ocds-[a-z0-9]+(-[a-z0-9]+)*$/, 'must be "ocds-" followed by lower-case letters and digits (hyphens between), e.g. ocds-cocommission or ocds-a1b2c3')
    .max(60, 'must be at most 60 characters')
    .default('ocds-cocommission'),
  // Sign-in with organisations' identity providers: http:// issuers (tests only), the key their client secrets are encrypted with, OIDC starts a minute.
  OIDC_ALLOW_INSECURE_ISSUER: flag,
  SECRETS_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  OIDC_STARTS_PER_MINUTE: int(20, 1),
  // Invitations of guests to a cycle: how long a link works, and how many sends an hour per inviter and per invited address.
  INVITATION_TTL_HOURS: int(168, 1),
  INVITATIONS_PER_HOUR: int(30, 1),
  // The Ed25519 key that signs the daily checkpoints of every history's head: PEM, base64 PKCS#8 DER, or a file holding either (docs/security.md).
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  // Who the privacy notice (/privacy) names to contact about personal data: the hosting council's data protection officer.
  PRIVACY_CONTACT: z.string().max(1000, 'must be at most 1,000 characters').default('The data protection officer of the council that runs this service: ask the council for their contact details.'),
  // When the worker applies the retention policy each day (HH:MM, UTC).
  RETENTION_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM (UTC), such as 02:30')
    .default('02:30'),
  // The one cache of cycles each process keeps (CycleStore): its budget in bytes, and `off` for tests that read every cycle afresh.
  CYCLE_CACHE: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  CYCLE_CACHE_BYTES: int(128 * 1024 * 1024, 0),
  // Attachments (libs/evidence): the largest file accepted, uploads a minute per person, and where the bytes are kept (PostgreSQL, or an S3-compatible store).
  ATTACHMENT_MAX_BYTES: int(20 * 1024 * 1024, 1),
  ATTACHMENT_UPLOADS_PER_MINUTE: int(10, 1),
  ATTACHMENT_STORE: z.enum(['postgres', 's3'], { error: 'must be postgres or s3' }).default('postgres'),
  S3_ENDPOINT: url(['http:', 'https:']).optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket name: 3 to 63 lower-case letters, digits, "." and "-"')
    .optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  CLOCK_START: z.iso.datetime({ offset: true }).optional(),
  CLOCK_OFFSET_MS: z.coerce.number().int().optional(),
});

export type Environment = z.infer<typeof environmentSchema>;

export interface AppConfig {
  /** NODE_ENV; production when unset. */
  env: NonNullable<Environment['NODE_ENV']>;
  port: number;
  /**
   * templatesReload: read the page templates again on every page (while editing them), instead of once.
   * secureCookies: cookies only over https (in production, and whenever PUBLIC_WEB_URL is https).
   */
  web: { port: number; sessionTtlSeconds: number; templatesReload: boolean; secureCookies: boolean };
  /** url: the apps' connection; migrationUrl: the migrations' (the tables' owner), the same when unset. */
  database: { url: string; migrationUrl: string; poolSize: number };
  /** url: REDIS_URL; sentinels: REDIS_SENTINELS (with the primary's name), used instead of the URL when set. */
  redis: { url: string; prefix: string; sentinels?: { hosts: { host: string; port: number }[]; name: string; password?: string }; password?: string; tls?: boolean };
  /**
   * The platform admin created when no user exists: null password (no admin created) unless
   * ADMIN_PASSWORD is set, or NODE_ENV=development/test gives the default, which must then be
   * changed at first sign-in (mustChange).
   */
  admin: { email: string; password: string | null; mustChange: boolean };
  /** generated: JWT_SECRET was unset, so this process made a random one (its tokens end with it). */
  jwt: { secret: string; ttlSeconds: number; generated: boolean };
  login: { maxFailuresPerAccount: number; maxFailuresPerAddress: number; windowSeconds: number };
  /** Each person's writes (API and web): so many a second, with bursts of up to `burst`. */
  writes: { perSecond: number; burst: number };
  /**
   * Reads counted in Redis a minute at a time: those of the routes anyone may call, per address
   * (an IPv6 address by its /64), and each person's expensive ones (exports, verifications, the web cycle page).
   */
  reads: { anonymousPerMinute: number; expensivePerMinute: number };
  /**
   * The most milestones one cycle and outcomes one partnership may hold (beyond: 422 naming the cap).
   * A cycle's revisions and options are capped by its rules (CYCLE_CAPS in the domain).
   */
  caps: { milestonesPerCycle: number; outcomesPerPartnership: number };
  /** trustProxy: as Express's `trust proxy` and Fastify's `trustProxy` take it, a number of hops or a list of addresses and subnets. */
  http: { bodyLimit: string; trustProxy: number | string[]; publicUrl: string };
  /** Email: the SMTP relay (null: no email is sent), the sender, and the web app's address for links. */
  mail: { smtpUrl: string | null; from: string; publicWebUrl: string };
  /** Who runs this service and where people report a problem (the accessibility statement and the cookies page name them); null: not set. */
  site: { operator: string | null; contactEmail: string | null };
  /**
   * Webhooks: whether private addresses (and plain http, any port) may be targets (tests, one
   * private network), their retries, and how many deliveries one destination host gets per window.
   */
  webhooks: { allowPrivate: boolean; attempts: number; backoffMs: number; hostRate: number; hostWindowSeconds: number };
  /** Open data: the OCDS ocid prefix (`<prefix>-<cycle id>` names a cycle's planning process). */
  openData: { ocidPrefix: string };
  /**
   * Organisations' identity providers: whether http:// issuers are allowed (tests only), the
   * secret their client secrets' key is derived from (SECRETS_KEY, else JWT_SECRET), and how many
   * sign-ins one address or one email may start a minute.
   */
  oidc: { allowInsecureIssuer: boolean; secretsKey: string; startsPerMinute: number };
  invitations: { ttlHours: number; perHour: number };
  /** signingKey: AUDIT_SIGNING_KEY as given (null: a file generated outside production, none in production). */
  audit: { signingKey: string | null };
  /** contact: PRIVACY_CONTACT, who the privacy notice names; retentionTime: RETENTION_TIME, when the daily retention job runs (HH:MM, UTC). */
  privacy: { contact: string; retentionTime: string };
  /**
   * Attachments: the largest file (bytes), each person's uploads a minute, and the store: PostgreSQL
   * (chunks in a table) or S3 (endpoint null: AWS's own; path-style addressing when an endpoint is given).
   */
  attachments: {
    maxBytes: number;
    uploadsPerMinute: number;
    store: 'postgres' | 's3';
    s3: { endpoint: string | null; bucket: string; accessKeyId: string | null; secretAccessKey: string | null; region: string } | null;
  };
  /** What each process keeps of the cycles it read and wrote (CycleStore): whether it keeps anything, and within how many bytes. */
  cycleCache: { enabled: boolean; bytes: number };
  logLevel: Environment['LOG_LEVEL'];
  shutdownTimeoutMs: number;
  /** How long a process answers 503 on /health/ready after SIGTERM before it stops taking requests (the load balancer's time to notice). */
  drainDelayMs: number;
  /** Who may read /metrics: bearer METRICS_TOKEN when set; unset, anyone outside production and no one in it (fail closed). workerPort: the worker's metrics server (0: any free port). */
  metrics: { token: string | null; open: boolean; workerPort: number };
  /** How far the services' clock is from the system's (0 but in tests and demos: CLOCK_START). */
  clock: { offsetMs: number };
  worker: {
    concurrency: number;
    /** Cycles whose due milestones a sweep settles per transaction. */
    sweepBatch: number;
    /** How long after a milestone is due its job runs (the sweeper settles it first). */
    fireGraceMs: number;
    attempts: number;
    backoffMs: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
    relayIntervalMs: number;
    reconcileIntervalMs: number;
    /** Tries of an email, and the first retry's delay (exponential after). */
    mailAttempts: number;
    mailBackoffMs: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration refused:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** REDIS_SENTINELS's hosts (its pattern checked): `host:port`, the last colon the port's (an IPv6 address in brackets). */
export const sentinelHosts = (list: string): { host: string; port: number }[] =>
  list.split(',').map((item) => {
    const trimmed = item.trim();
    const at = trimmed.lastIndexOf(':');
    return { host: trimmed.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(trimmed.slice(at + 1)) };
  });

/** Only development and test, set explicitly, accept what this repository prints. */
const isLocal = (env: Environment) => env.NODE_ENV === 'development' || env.NODE_ENV === 'test';

/**
 * Nothing but an explicit development or test run accepts a secret or password printed in this
 * repository; production must name its own.
 */
function productionProblems(raw: Record<string, string | undefined>, env: Environment): string[] {
  const problems: string[] = [];
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME) problems.push('REDIS_SENTINEL_NAME is required with REDIS_SENTINELS: the name the sentinels know the primary by');
  if (!env.REDIS_SENTINELS && env.REDIS_SENTINEL_NAME) problems.push('REDIS_SENTINEL_NAME is set without REDIS_SENTINELS: list the sentinels as host:port, comma-separated');
  if (env.ATTACHMENT_STORE === 's3' && !env.S3_BUCKET) problems.push('S3_BUCKET is required with ATTACHMENT_STORE=s3: the bucket the attachments are kept in');
  if (env.ATTACHMENT_STORE === 's3' && !env.S3_ACCESS_KEY_ID !== !env.S3_SECRET_ACCESS_KEY) {
    problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together (neither: the SDK finds credentials itself, from the role or the environment)');
  }
  if (!isLocal(env)) {
    const outside = env.NODE_ENV === 'production' ? '' : ' (NODE_ENV is unset: set NODE_ENV=development for a local run)';
    if (env.JWT_SECRET === DEV_DEFAULTS.jwtSecret) problems.push(`JWT_SECRET is the development default${outside}`);
    if (env.ADMIN_PASSWORD === DEV_DEFAULTS.adminPassword) problems.push(`ADMIN_PASSWORD is the development default${outside}`);
  }
  if (env.NODE_ENV !== 'production') return problems;
  for (const name of ['JWT_SECRET', 'ADMIN_PASSWORD', 'ADMIN_EMAIL'] as const) {
    if (!raw[name]) problems.push(`${name} is required when NODE_ENV=production`);
  }
  if (env.OIDC_ALLOW_INSECURE_ISSUER) problems.push('OIDC_ALLOW_INSECURE_ISSUER lets identity providers answer over plain http: tests only, never in production');
  if (env.CLOCK_START) problems.push('CLOCK_START sets the clock to another moment: tests and demos only, never in production');
  if (env.CLOCK_OFFSET_MS) problems.push('CLOCK_OFFSET_MS moves the clock: tests and demos only, never in production');
  return problems;
}

/**
 * Validates the environment once and returns typed settings. Empty strings count as unset,
 * so `PORT=` in a .env file falls back to the default instead of failing.
 */
export function parseConfig(raw: Record<string, string | undefined>): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const result = environmentSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || 'environment'} ${i.message}`));
  }
  const env = result.data;
  const problems = productionProblems(cleaned, env);
  if (problems.length > 0) throw new ConfigError(problems);
  const nodeEnv = env.NODE_ENV ?? 'production';
  const publicWebUrl = (env.PUBLIC_WEB_URL ?? `http://localhost:${env.WEB_PORT}`).replace(/\/$/, '');
  const adminPassword = env.ADMIN_PASSWORD ?? (isLocal(env) ? DEV_DEFAULTS.adminPassword : null);
  const jwtSecret = env.JWT_SECRET ?? (isLocal(env) ? DEV_DEFAULTS.jwtSecret : randomBytes(32).toString('base64url'));
  return {
    env: nodeEnv,
    port: env.PORT,
    web: {
      port: env.WEB_PORT,
      sessionTtlSeconds: env.WEB_SESSION_TTL_SECONDS,
      templatesReload: env.WEB_TEMPLATES_RELOAD,
      secureCookies: nodeEnv === 'production' || publicWebUrl.startsWith('https:'),
    },
    database: { url: env.DATABASE_URL, migrationUrl: env.MIGRATION_DATABASE_URL ?? env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
    redis: {
      url: env.REDIS_URL,
      prefix: env.QUEUE_PREFIX,
      ...(env.REDIS_SENTINELS && {
        sentinels: { hosts: sentinelHosts(env.REDIS_SENTINELS), name: env.REDIS_SENTINEL_NAME!, ...(env.REDIS_SENTINEL_PASSWORD && { password: env.REDIS_SENTINEL_PASSWORD }) },
      }),
      ...(env.REDIS_PASSWORD && { password: env.REDIS_PASSWORD }),
      ...(env.REDIS_TLS && { tls: true }),
    },
    admin: { email: normaliseEmail(env.ADMIN_EMAIL), password: adminPassword, mustChange: adminPassword === DEV_DEFAULTS.adminPassword },
    // Unset outside development and test: a random secret, so that no published one ever signs a token.
    jwt: {
      secret: jwtSecret,
      ttlSeconds: env.JWT_TTL_SECONDS,
      generated: !env.JWT_SECRET && !isLocal(env),
    },
    login: {
      maxFailuresPerAccount: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerAddress: env.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: env.LOGIN_FAILURE_WINDOW_SECONDS,
    },
    writes: { perSecond: env.WRITE_RATE_PER_SECOND, burst: Math.max(env.WRITE_BURST, env.WRITE_RATE_PER_SECOND) },
    reads: { anonymousPerMinute: env.ANONYMOUS_READS_PER_MINUTE, expensivePerMinute: env.EXPENSIVE_READS_PER_MINUTE },
    caps: { milestonesPerCycle: env.MAX_MILESTONES_PER_CYCLE, outcomesPerPartnership: env.MAX_OUTCOMES_PER_PARTNERSHIP },
    http: {
      bodyLimit: env.BODY_LIMIT,
      trustProxy: env.TRUST_PROXY,
      publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    },
    webhooks: {
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
      attempts: env.WEBHOOK_ATTEMPTS,
      backoffMs: env.WEBHOOK_BACKOFF_MS,
      hostRate: env.WEBHOOK_HOST_RATE,
      hostWindowSeconds: env.WEBHOOK_HOST_WINDOW_SECONDS,
    },
    mail: {
      smtpUrl: env.SMTP_URL ?? null,
      from: env.MAIL_FROM,
      publicWebUrl,
    },
    site: { operator: env.SERVICE_OPERATOR ?? null, contactEmail: env.CONTACT_EMAIL ?? null },
    openData: { ocidPrefix: env.OCID_PREFIX },
    oidc: { allowInsecureIssuer: env.OIDC_ALLOW_INSECURE_ISSUER, secretsKey: env.SECRETS_KEY ?? jwtSecret, startsPerMinute: env.OIDC_STARTS_PER_MINUTE },
    invitations: { ttlHours: env.INVITATION_TTL_HOURS, perHour: env.INVITATIONS_PER_HOUR },
    audit: { signingKey: env.AUDIT_SIGNING_KEY ?? null },
    privacy: { contact: env.PRIVACY_CONTACT, retentionTime: env.RETENTION_TIME },
    cycleCache: { enabled: env.CYCLE_CACHE === 'on', bytes: env.CYCLE_CACHE_BYTES },
    attachments: {
      maxBytes: env.ATTACHMENT_MAX_BYTES,
      uploadsPerMinute: env.ATTACHMENT_UPLOADS_PER_MINUTE,
      store: env.ATTACHMENT_STORE,
      s3:
        env.ATTACHMENT_STORE === 's3'
          ? {
              endpoint: env.S3_ENDPOINT ?? null,
              bucket: env.S3_BUCKET!,
              accessKeyId: env.S3_ACCESS_KEY_ID ?? null,
              secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? null,
              region: env.S3_REGION,
            }
          : null,
    },
    logLevel: env.LOG_LEVEL,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    drainDelayMs: env.DRAIN_DELAY_MS,
    metrics: { token: env.METRICS_TOKEN ?? null, open: env.METRICS_TOKEN === undefined && (env.NODE_ENV ?? 'production') !== 'production', workerPort: env.WORKER_METRICS_PORT },
    // CLOCK_OFFSET_MS moves the clock by a fixed amount (every process of a test run alike);
    // CLOCK_START sets it to a moment as the configuration is read, and it runs on from there.
    clock: { offsetMs: env.CLOCK_OFFSET_MS ?? (env.CLOCK_START ? Date.parse(env.CLOCK_START) - Date.now() : 0) },
    worker: {
      concurrency: env.WORKER_CONCURRENCY,
      sweepBatch: env.MILESTONE_SWEEP_BATCH,
      fireGraceMs: env.MILESTONE_JOB_GRACE_MS,
      attempts: env.MILESTONE_ATTEMPTS,
      backoffMs: env.MILESTONE_BACKOFF_MS,
      lockDurationMs: env.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: env.WORKER_STALLED_INTERVAL_MS,
      relayIntervalMs: env.RELAY_INTERVAL_MS,
      reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
      mailAttempts: env.MAIL_ATTEMPTS,
      mailBackoffMs: env.MAIL_BACKOFF_MS,
    },
  };
}
