import type { Knex } from 'knex';

/**
 * Sets last_used_at on a token row, at most once a minute: a token used every
 * second would otherwise turn each request into a write on one hot row.
 */
export async function touchLastUsed(knex: Knex, table: 'ingest_tokens' | 'api_tokens', key: Record<string, number>): Promise<void> {
  await knex(table)
    .where(key)
    .andWhere((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<', knex.raw("now() - interval '1 minute'")))
    .update({ last_used_at: knex.fn.now() });
}
