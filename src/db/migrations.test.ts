import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { listMigrations, migrateToLatest, MIGRATIONS_DIR, rollbackAll } from './migrate.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ empty: true });
});
after(() => db.drop());

async function tables(): Promise<string[]> {
  const result = await db.knex.raw<{ rows: { tablename: string }[] }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex_%' ORDER BY tablename",
  );
  return result.rows.map((row) => row.tablename);
}

test('every migration file is named YYYY-MM-DD-HHMM-what.ts', () => {
  for (const file of fs.readdirSync(MIGRATIONS_DIR)) {
    assert.match(file, /^\d{4}-\d{2}-\d{2}-\d{4}-[a-z0-9-]+\.ts$/);
  }
});

test('all migrations run up, down and up again on an empty database', async () => {
  const files = fs.readdirSync(MIGRATIONS_DIR).sort();
  const applied = await migrateToLatest(db.knex);
  assert.deepEqual(applied, files);
  assert.deepEqual((await listMigrations(db.knex)).pending, []);
  const created = await tables();
  for (const table of ['organisations', 'integrations', 'ingest_tokens', 'sync_runs', 'feed_records', 'errors', 'employee_states', 'integration_events']) {
    assert.ok(created.includes(table), `table ${table} exists`);
  }

  const reverted = await rollbackAll(db.knex);
  assert.equal(reverted.length, files.length);
  assert.deepEqual(await tables(), []);

  assert.deepEqual(await migrateToLatest(db.knex), files);
});

test('every tenant table starts its primary key with org_id', async () => {
  const result = await db.knex.raw<{ rows: { table: string; first: string }[] }>(`
    SELECT c.conrelid::regclass::text AS table, a.attname AS first
    FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'p' AND c.connamespace = 'public'::regnamespace`);
  // Users and their tokens belong to people, not to one organisation.
  const notTenant = new Set(['organisations', 'users', 'api_tokens', 'sessions', 'rate_limits', 'retention_runs', 'knex_migrations', 'knex_migrations_lock']);
  const tenantTables = result.rows.filter((row) => !notTenant.has(row.table));
  assert.ok(tenantTables.length >= 7);
  for (const row of tenantTables) assert.equal(row.first, 'org_id', `${row.table} primary key starts with org_id`);
});
