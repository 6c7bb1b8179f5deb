import type { Knex } from 'knex';
import { ensureMonthPartition, PARTITIONED_TABLES } from './retention.queries.js';

/**
 * Partitions exist before rows arrive. The migration made the months of the stored
 * rows and the three months ahead; the scheduler's daily prune job makes the coming
 * three months ahead again (ensureComingPartitions); and ingest, before its
 * transaction, makes sure the run's own month exists (a backfill of a year-old run,
 * a clock far ahead), in its own short statement: creating a partition locks its
 * parent, which must not be held for a whole ingest. Each process remembers the
 * months from this one on that it has seen exist, so a normal ingest costs no query
 * at all (past months are asked each time: a prune in any process may drop them). Two processes
 * or two racing ingests creating one month both succeed (feedlog_month_partition).
 */
const known = new Set<string>();

const monthKey = (at: Date) => `${at.getUTCFullYear()}-${at.getUTCMonth()}`;

export async function ensureRecordPartitions(knex: Knex, startedAt: Date, now = new Date()): Promise<void> {
  const key = monthKey(startedAt);
  if (known.has(key)) return;
  for (const table of PARTITIONED_TABLES) await ensureMonthPartition(knex, table, startedAt);
  // Past months are checked each time (a backfill is rare): prune, in any process, may drop them.
  if (startedAt >= new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))) known.add(key);
}

/** Forgets the months seen (prune dropped some; tests start over). */
export function forgetKnownPartitions(): void {
  known.clear();
}

/** This month (UTC) and the `ahead` months after it. */
export async function ensureComingPartitions(knex: Knex, now: Date, ahead = 3): Promise<void> {
  for (let n = 0; n <= ahead; n++) {
    await ensureRecordPartitions(knex, new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + n, 1)));
  }
}
