import type { ParseArgsConfig } from 'node:util';
import { openDatabase, type Database } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';

export type Values = Record<string, string | boolean | string[] | undefined>;

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
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Opens the database, applies pending migrations (so a first command on a fresh machine just works), runs, closes. */
export async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase();
  try {
    await migrateToLatest(database.knex);
    return await work(database);
  } finally {
    await database.close();
  }
}
