import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseDuration } from './integrations/schedule.js';
import { ConfigError } from './shared/config-error.js';

/**
 * The repository root, whatever the working directory of the process: the
 * parent of src/ under tsx, and of dist/ (dist/src/config.js) when compiled,
 * so that views/, public/ and .data/ are the checkout's own in both.
 */
export const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), import.meta.url.endsWith('.js') ? '../..' : '..');

const byteSize = z
  .string()
  .regex(/^\d+(kb|mb|gb)?$/i, 'a size such as 100mb')
  .transform((value) => {
    const match = /^(\d+)(kb|mb|gb)?$/i.exec(value)!;
    const unit = (match[2] ?? '').toLowerCase();
    const factor = unit === 'gb' ? 1024 ** 3 : unit === 'mb' ? 1024 ** 2 : unit === 'kb' ? 1024 : 1;
    return Number(match[1]) * factor;
  });

/** A duration such as `12h`, `30m` or `7d`, in seconds (the schedules' own parser). */
const duration = z
  .string()
  .refine((value) => parseDuration(value) !== undefined, 'a duration such as 30m, 12h or 7d')
  .transform((value) => parseDuration(value)!);

/**
 * Every environment variable feedlog reads, in one place. The README's table of
 * variables mirrors this schema; nothing else in the code reads process.env.
 */
const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.url({ message: 'must be a postgres:// URL' }).optional(),
  DATABASE_READ_URL: z.url({ message: 'must be a postgres:// URL of a streaming replica (or a read-only role)' }).optional(),
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters (a random secret: openssl rand -hex 24)').optional(),
  DATA_DIR: z.string().min(1).default(path.join(ROOT_DIR, '.data')),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INGEST_BODY_LIMIT: byteSize.default(100 * 1024 * 1024),
  INGEST_MAX_RECORDS: z.coerce.number().int().min(1).default(100_000),
  INGEST_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  SESSION_IDLE_TIMEOUT: duration.default(12 * 3600),
  SESSION_MAX_AGE: duration.default(7 * 86_400),
  SCHEDULER: z.enum(['on', 'off']).default('on'),
  SCHEDULER_TICK: duration.refine((seconds) => seconds > 0, 'longer than zero').default(60),
  SMTP_URL: z
    .url({ message: 'must be an smtp:// or smtps:// URL, such as smtps://user:password@mail.example.com:465' })
    .refine((value) => /^smtps?:\/\//.test(value), 'must start with smtp:// or smtps://')
    .optional(),
  SMTP_FROM: z.string().min(3).default('feedlog <feedlog@localhost>'),
  SMTP_TLS_REJECT_UNAUTHORIZED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  // Set by the test runner (test/run.ts) for the test files it starts; not for production use.
  FEEDLOG_TEST_TEMPLATE_URL: z.url().optional(),
  // EJS compiles each view once and keeps it (Express's view cache); by default on in production.
  VIEW_CACHE: z.enum(['on', 'off']).optional(),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

export type Config = {
  env: 'development' | 'production' | 'test';
  databaseUrl: string | undefined;
  /** Dashboard and API reads go to this server (a streaming replica) when set; writes stay on DATABASE_URL. */
  databaseReadUrl: string | undefined;
  /** GET /metrics answers only `Authorization: Bearer <this>`; without it the route is a 404. */
  metricsToken: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  host: string;
  port: number;
  publicUrl: string;
  logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
  ingestBodyLimit: number;
  ingestMaxRecords: number;
  ingestRateLimitPerMinute: number;
  /** Large ingests (bodies of 1 MB or more) at once in this process; more wait for a 503's Retry-After. */
  ingestConcurrency: number;
  databasePoolMax: number;
  shutdownTimeoutMs: number;
  /** A web session ends after this many seconds without a request... */
  sessionIdleSeconds: number;
  /** ...and this many seconds after sign-in, whatever happens. */
  sessionMaxAgeSeconds: number;
  /** Cookies get the Secure attribute when feedlog is reached over https. */
  secureCookies: boolean;
  trustProxy: boolean;
  /** Views are compiled once and kept (VIEW_CACHE, by default on when NODE_ENV is production), not read and compiled for every page. */
  viewCache: boolean;
  /** The scheduler (missed-run detection, and later emails) runs in this process. */
  scheduler: boolean;
  /** Milliseconds between the end of one scheduler tick and the start of the next. */
  schedulerTickMs: number;
  /** Email goes through this SMTP server; without one, into DATA_DIR/outbox as .eml files. */
  smtpUrl: string | undefined;
  smtpFrom: string;
  smtpTlsRejectUnauthorized: boolean;
  testTemplateUrl: string | undefined;
};

export { ConfigError };

export function parseConfig(environment: Record<string, string | undefined>, defaults: Record<string, string> = {}): Config {
  const set = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined));
  const parsed = environmentSchema.safeParse({ ...defaults, ...set });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}\nFix these environment variables and start again.`);
  }
  const e = parsed.data;
  if (e.DATABASE_READ_URL && !e.DATABASE_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  DATABASE_READ_URL: needs DATABASE_URL too (the primary, where every write goes)\nFix these environment variables and start again.',
    );
  }
  return {
    env: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    databaseReadUrl: e.DATABASE_READ_URL,
    metricsToken: e.METRICS_TOKEN,
    dataDir: path.resolve(e.DATA_DIR),
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    logLevel: e.LOG_LEVEL,
    ingestBodyLimit: e.INGEST_BODY_LIMIT,
    ingestMaxRecords: e.INGEST_MAX_RECORDS,
    ingestRateLimitPerMinute: e.INGEST_RATE_LIMIT_PER_MINUTE,
    ingestConcurrency: e.INGEST_CONCURRENCY,
    databasePoolMax: e.DATABASE_POOL_MAX,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    sessionIdleSeconds: e.SESSION_IDLE_TIMEOUT,
    sessionMaxAgeSeconds: e.SESSION_MAX_AGE,
    secureCookies: (e.PUBLIC_URL ?? '').startsWith('https:'),
    trustProxy: e.TRUST_PROXY,
    viewCache: e.VIEW_CACHE === undefined ? e.NODE_ENV === 'production' : e.VIEW_CACHE === 'on',
    scheduler: e.SCHEDULER === 'on',
    schedulerTickMs: e.SCHEDULER_TICK * 1000,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    smtpTlsRejectUnauthorized: e.SMTP_TLS_REJECT_UNAUTHORIZED,
    testTemplateUrl: e.FEEDLOG_TEST_TEMPLATE_URL,
  };
}

let loaded: Config | undefined;

/** Whether this is the compiled app in dist/ (npm start, the feedlog command) rather than the sources under tsx (npm run dev, the tests). */
const COMPILED = import.meta.url.endsWith('.js');

/**
 * What `feedlog serve` assumes where the environment is silent: the compiled
 * app runs with production settings (NODE_ENV=production, so the view cache is
 * on); from the sources (`npm run dev`) it stays development, where an edited
 * view shows on the next request.
 */
export function serveDefaults(compiled = COMPILED): Record<string, string> {
  return compiled ? { NODE_ENV: 'production' } : {};
}

/** The configuration of this process: the environment over `defaults`. Called before anything else reads config(). */
export function useConfigWithDefaults(defaults: Record<string, string>): Config {
  loaded = parseConfig(process.env, defaults);
  return loaded;
}

/** The configuration of `feedlog serve`: the environment over serveDefaults(). */
export function useServeConfig(): Config {
  return useConfigWithDefaults(serveDefaults());
}

/** The configuration of this process, parsed from the environment on first use. */
export function config(): Config {
  loaded ??= parseConfig(process.env);
  return loaded;
}
