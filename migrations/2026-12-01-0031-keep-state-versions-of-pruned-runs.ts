import type { Knex } from 'knex';

// A late run is classified against the employee state as of its started_at:
// the newest version before it, which may belong to a run that retention has
// deleted (an employee unchanged for months). So a version no longer goes with
// its run (feedlog prune keeps the version in force at the cut-off and deletes
// the older ones); it goes with its integration, as every other row does.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE employee_state_versions DROP CONSTRAINT employee_state_versions_org_id_sync_run_id_fkey');
  await knex.raw(
    'ALTER TABLE employee_state_versions ADD CONSTRAINT employee_state_versions_org_id_integration_id_fkey FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE',
  );
}

// Back to going with the run: the versions of runs deleted since go first.
export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE employee_state_versions DROP CONSTRAINT employee_state_versions_org_id_integration_id_fkey');
  await knex.raw('DELETE FROM employee_state_versions v WHERE NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.org_id = v.org_id AND r.id = v.sync_run_id)');
  await knex.raw(
    'ALTER TABLE employee_state_versions ADD CONSTRAINT employee_state_versions_org_id_sync_run_id_fkey FOREIGN KEY (org_id, sync_run_id) REFERENCES sync_runs (org_id, id) ON DELETE CASCADE',
  );
}
