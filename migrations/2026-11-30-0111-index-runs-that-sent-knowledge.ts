import type { Knex } from 'knex';

// A late run's re-check asks, for each later run that sent no catalog (or form
// fields), which one was in force: that of the newest run before it that sent
// one; and which later runs relied on the late run's, up to the next run that
// sent its own. Walking sync_runs_by_start backwards and testing each run's
// header read every run back to the last one that sent it: all of them, for an
// integration that never sends form fields, once per later run re-checked.
// These partial indexes hold only the runs that sent one (header shapes as
// recheck.queries.ts tests them), so each question is one seek.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `CREATE INDEX sync_runs_sent_catalog ON sync_runs (org_id, integration_id, started_at DESC, id DESC)
     WHERE jsonb_typeof(header->'catalog') = 'object'`,
  );
  await knex.raw(
    `CREATE INDEX sync_runs_sent_form_fields ON sync_runs (org_id, integration_id, started_at DESC, id DESC)
     WHERE jsonb_typeof(header->'form_fields') = 'array'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX sync_runs_sent_form_fields');
  await knex.raw('DROP INDEX sync_runs_sent_catalog');
}
