import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { config } from '../config.js';
import { ensureEmbeddedPostgres, type EmbeddedServer } from './embedded.js';

// bigint (int8) columns hold ids and counts that stay far below 2^53: read them as numbers.
pg.types.setTypeParser(20, (value) => Number(value));

export const EMBEDDED_DATABASE = 'feedlog';

export interface Database {
  knex: Knex;
  /** The pool of DATABASE_READ_URL (a streaming replica), when it is set: see src/db/read-routing.ts. */
  reader?: Knex;
  close(): Promise<void>;
}

export function createKnex(connectionString: string, poolMax = config().databasePoolMax, connectTimeoutMs = 5_000): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, connectionTimeoutMillis: connectTimeoutMs },
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
  });
}

async function ensureDatabaseExists(server: EmbeddedServer, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created by a concurrent process
      });
    }
  } finally {
    await admin.end();
  }
}

/** The replica's pool: as the primary's (a read that cannot get a connection in time is answered from the primary). */
export function createReaderKnex(connectionString: string): Knex {
  return createKnex(connectionString, config().databasePoolMax);
}

/** Opens the database of DATABASE_URL, or the embedded one in DATA_DIR when it is unset. */
export async function openDatabase(): Promise<Database> {
  const { databaseUrl, databaseReadUrl, dataDir, embeddedPgPort } = config();
  if (databaseUrl) {
    const knex = createKnex(databaseUrl);
    const reader = databaseReadUrl ? createReaderKnex(databaseReadUrl) : undefined;
    return { knex, reader, close: async () => void (await Promise.all([knex.destroy(), reader?.destroy()])) };
  }
  const server = await ensureEmbeddedPostgres(dataDir, embeddedPgPort);
  await ensureDatabaseExists(server, EMBEDDED_DATABASE);
  const knex = createKnex(server.url(EMBEDDED_DATABASE));
  return {
    knex,
    close: async () => {
      await knex.destroy();
      await server.release();
    },
  };
}

// Socket errors, and PostgreSQL's: class 08 (connection exception), 57P01-57P03
// (shut down, crashed, starting), 53300 (too many connections).
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', '57P01', '57P02', '57P03', '53300']);

// What pg and knex say when the connection died under a query, or when a
// transaction's ROLLBACK then finds it dead ("... and is not queryable").
// pg's own connection timeout (connectionTimeoutMillis) says only "timeout expired".
const UNAVAILABLE_MESSAGES =
  /connect ECONNREFUSED|Connection terminated|is not queryable|server closed the connection unexpectedly|timeout exceeded when trying to connect|^timeout expired$|the database system is (starting up|shutting down|in recovery mode)/i;

/** True when an error means the database cannot be reached now, as opposed to a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, name, message } = error as { code?: string; name?: string; message?: string };
  if (code && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (name === 'KnexTimeoutError') return true;
  return UNAVAILABLE_MESSAGES.test(message ?? '');
}
