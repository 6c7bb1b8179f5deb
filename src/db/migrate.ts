import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { ROOT_DIR } from '../config.js';

export const MIGRATIONS_DIR = path.join(ROOT_DIR, 'migrations');
const MIGRATION_NAME = /^\d{4}-\d{2}-\d{2}-\d{4}-[a-z0-9-]+\.ts$/;

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Reads migrations/ itself so the same TypeScript files run under tsx in every command and test. */
class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    const files = fs.readdirSync(MIGRATIONS_DIR).filter((file) => file.endsWith('.ts'));
    const misnamed = files.filter((file) => !MIGRATION_NAME.test(file));
    if (misnamed.length > 0) {
      throw new Error(`Migration files must be named YYYY-MM-DD-HHMM-what.ts: ${misnamed.join(', ')}`);
    }
    return files.sort();
  }
  getMigrationName(migration: string): string {
    return migration;
  }
  async getMigration(migration: string): Promise<MigrationModule> {
    return (await import(pathToFileURL(path.join(MIGRATIONS_DIR, migration)).href)) as MigrationModule;
  }
}

const options = (): Knex.MigratorConfig => ({ migrationSource: new DirectoryMigrationSource(), tableName: 'knex_migrations' });

export async function migrateToLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(options())) as [number, string[]];
  return applied;
}

export async function rollbackAll(knex: Knex): Promise<string[]> {
  const [, reverted] = (await knex.migrate.rollback(options(), true)) as [number, string[]];
  return reverted;
}

export async function listMigrations(knex: Knex): Promise<{ done: string[]; pending: string[] }> {
  const [done, pending] = (await knex.migrate.list(options())) as [Array<{ name: string }>, Array<{ file: string }>];
  return { done: done.map((m) => m.name), pending: pending.map((m) => m.file) };
}
