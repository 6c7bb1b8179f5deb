import type { Knex } from 'knex';

const TOUCH_INTERVAL_MS = 60_000;

/**
 * Last-used times are kept to the minute: a token or session used every second
 * would otherwise turn each request into a write on one hot row. The caller has
 * just read the row, so it knows whether a touch is due without asking again.
 */
export function touchIsDue(lastUsedAt: Date | null): boolean {
  return lastUsedAt === null || Date.now() - lastUsedAt.getTime() >= TOUCH_INTERVAL_MS;
}

/** Sets last_used_at on a token row when due; the SQL condition keeps concurrent requests to one write. */
export async function touchLastUsed(knex: Knex, table: 'ingest_tokens' | 'api_tokens', key: Record<string, number>, lastUsedAt: Date | null): Promise<void> {
  if (!touchIsDue(lastUsedAt)) return;
  await knex(table)
    .where(key)
    .andWhere((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<', knex.raw("now() - interval '1 minute'")))
    .update({ last_used_at: knex.fn.now() });
}
