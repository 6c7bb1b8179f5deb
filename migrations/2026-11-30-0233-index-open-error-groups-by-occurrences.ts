import type { Knex } from 'knex';

// The summary email lists the largest open groups (most occurrences first, the first
// twenty, then the five blocking most employees): this partial index reads the open
// groups in that order and stops after twenty, instead of sorting all of them.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX error_groups_open_by_occurrences ON error_groups (org_id, occurrences DESC, id DESC) WHERE status IN ('open', 'regressed')");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX error_groups_open_by_occurrences');
}
