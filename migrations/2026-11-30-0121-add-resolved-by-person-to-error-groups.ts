import type { Knex } from 'knex';

// Whether a resolved group was resolved by a person (as of its last occurrence)
// or by a run (as of a newer run that no longer showed it). A late run's
// re-check may find a group that a run resolved still affecting an employee, and
// reopens it; one a person resolved stays resolved until a newer run shows it.
// Groups resolved by hand so far are those resolved as of their last occurrence.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE error_groups ADD COLUMN resolved_by_person boolean NOT NULL DEFAULT false');
  await knex.raw("UPDATE error_groups SET resolved_by_person = true WHERE status = 'resolved' AND resolved_started_at = last_seen_started_at");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE error_groups DROP COLUMN resolved_by_person');
}
