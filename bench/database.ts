import path from 'node:path';
import type { Knex } from 'knex';
import pg from 'pg';
import { config } from '../src/config.js';
import { createKnex } from '../src/db/database.js';
import { ensureEmbeddedPostgres } from '../src/db/embedded.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { withDatabaseName } from '../test/helpers/database-url.js';

/**
 * A fresh, migrated database `name` for one benchmark: on DATABASE_URL's server,
 * or on the benchmarks' own embedded PostgreSQL in DATA_DIR/bench. `close()`
 * releases both, and drops the database first with `dropAfter` (a name made per
 * process, on a server others share, would otherwise pile up).
 */
export async function benchDatabase(name: string, options: { dropAfter?: boolean } = {}): Promise<{ knex: Knex; close(): Promise<void> }> {
  const { databaseUrl, dataDir, embeddedPgPort } = config();
  const server = databaseUrl ? undefined : await ensureEmbeddedPostgres(path.join(dataDir, 'bench'), embeddedPgPort + 20);
  const adminUrl = databaseUrl ? withDatabaseName(databaseUrl, 'postgres') : server!.url('postgres');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const knex = createKnex(withDatabaseName(adminUrl, name), 5);
  await migrateToLatest(knex);
  return {
    knex,
    async close() {
      await knex.destroy();
      if (options.dropAfter) {
        const dropper = new pg.Client({ connectionString: adminUrl });
        await dropper.connect();
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await dropper.end();
      }
      await server?.release();
    },
  };
}
