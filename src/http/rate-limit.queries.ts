import type { Knex } from 'knex';

/** Adds one hit to a bucket's window and returns the window's count; one upsert, so concurrent hits all count. */
export async function addHit(knex: Knex, bucket: string, windowStart: Date): Promise<number> {
  const result = await knex.raw<{ rows: { hits: number }[] }>(
    `INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1)
     ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
     RETURNING hits`,
    [bucket, windowStart],
  );
  return result.rows[0]!.hits;
}

export async function deleteBucket(knex: Knex, bucket: string): Promise<void> {
  await knex('rate_limits').where({ bucket }).del();
}

/** Deletes the windows of buckets starting with `prefix` that began before `before`. */
export async function deleteWindowsBefore(knex: Knex, prefix: string, before: Date): Promise<void> {
  await knex('rate_limits').whereRaw('starts_with(bucket, ?)', [prefix]).andWhere('window_start', '<', before).del();
}
