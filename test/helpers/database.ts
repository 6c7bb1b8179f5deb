import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';
import { config } from '../../src/config.js';
import { createKnex } from '../../src/db/database.js';
import { withDatabaseName } from './database-url.js';

export interface TestDatabase {
  knex: Knex;
  url: string;
  name: string;
  drop(): Promise<void>;
}

function templateUrl(): string {
  const url = config().testTemplateUrl;
  if (!url) throw new Error('Run the tests with `npm test` (test/run.ts prepares the database template).');
  return url;
}

async function onAdmin(work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabaseName(templateUrl(), 'postgres') });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database for one test file: a clone of the migrated template, or empty with `{ empty: true }`. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `feedlog_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = new URL(templateUrl()).pathname.slice(1);
  await onAdmin((client) => client.query(options.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = withDatabaseName(templateUrl(), name);
  const knex = createKnex(url, 5);
  return {
    knex,
    url,
    name,
    async drop() {
      await knex.destroy();
      await onAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
