import type { Knex } from 'knex';

// The alert job reads an organisation's missed-run gaps detected since it last
// looked (occurred_at is when the scheduler first found the gap). The other
// indexes of integration_events start with the integration or order by the
// gap's first slot, which can lie long before its detection.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX integration_events_missed_by_detection ON integration_events (org_id, occurred_at) WHERE code = 'missed_run'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX integration_events_missed_by_detection');
}
