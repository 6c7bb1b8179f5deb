import type { Knex } from 'knex';

/** Resolves when the database answers a trivial query within `timeoutMs`; rejects otherwise. */
export async function pingDatabase(knex: Knex, timeoutMs: number): Promise<void> {
  await knex.raw('SELECT 1').timeout(timeoutMs);
}
