import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const HERE = fileURLToPath(import.meta.url);
// Under tsx this is src/db/migrate.ts beside migrations/*.ts; compiled, it is
// dist/src/db/migrate.js beside dist/migrations/*.js.
const EXTENSION = path.extname(HERE);
export const MIGRATIONS_DIR = path.resolve(path.dirname(HERE), '..', '..', 'migrations');
const MIGRATION_NAME = /^\d{4}-\d{2}-\d{2}-\d{4}-[a-z0-9-]+\.ts$/;

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Reads the migrations folder itself. A migration is recorded in knex_migrations
 * by its source name (`...-create-users.ts`) whether tsx runs the .ts file or the
 * compiled app its .js: a database migrated by one is up to date for the other.
 */
class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    const names = fs
      .readdirSync(MIGRATIONS_DIR)
      .filter((file) => file.endsWith(EXTENSION))
      .map((file) => `${file.slice(0, -EXTENSION.length)}.ts`);
    const misnamed = names.filter((name) => !MIGRATION_NAME.test(name));
    if (misnamed.length > 0) {
      throw new Error(`Migration files must be named YYYY-MM-DD-HHMM-what.ts: ${misnamed.join(', ')}`);
    }
    return names.sort();
  }

  getMigrationName(migration: string): string {
    return migration;
  }

  async getMigration(migration: string): Promise<MigrationModule> {
    const file = `${migration.slice(0, -'.ts'.length)}${EXTENSION}`;
    return (await import(pathToFileURL(path.join(MIGRATIONS_DIR, file)).href)) as MigrationModule;
  }
}

/** The migrator's options (tests step through migrations one at a time with knex.migrate.up and down). */
export const options = (): Knex.MigratorConfig => ({ migrationSource: new DirectoryMigrationSource(), tableName: 'knex_migrations' });

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
