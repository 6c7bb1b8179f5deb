import type { ParseArgsConfig } from 'node:util';
import type { Database } from '../../db/database.js';

export type Values = Record<string, string | boolean | string[] | undefined>;

/**
 * A command's run() imports what it uses when it runs: `feedlog --help` and a
 * usage error then load neither the database nor the web stack (a tenth of a
 * second each for knex, pg and express; see bench/startup.ts).
 */
export interface Command {
  name: string;
  usage: string;
  summary: string;
  options?: ParseArgsConfig['options'];
  /** Names of the positional arguments, all required; none when absent. */
  args?: string[];
  run(values: Values, positionals: string[]): Promise<void>;
}

/** Bad arguments (missing, extra, unknown): exit 2 with the command's usage, unlike a mistake about the world (exit 1). */
export class UsageError extends Error {}

export const out = (line: string) => process.stdout.write(`${line}\n`);

export function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`Missing --${name}.`);
  return value;
}

/** The password piped on stdin (`--password-stdin`), without its trailing newline. */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Opens the database, applies pending migrations (so a first command on a fresh machine just works), runs, closes. */
export async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const [{ openDatabase }, { migrateToLatest }] = await Promise.all([import('../../db/database.js'), import('../../db/migrate.js')]);
  const database = await openDatabase();
  try {
    await migrateToLatest(database.knex);
    return await work(database);
  } finally {
    await database.close();
  }
}
