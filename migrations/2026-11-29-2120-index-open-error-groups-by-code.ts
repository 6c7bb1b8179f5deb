import type { Knex } from 'knex';

// The overview counts each integration's open groups (open or regressed) per
// code. The status index holds neither the integration nor the code, so that
// count read every open group's row; this partial index holds exactly what it
// counts, for an index-only scan that grows with the open groups alone.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX error_groups_open_by_code ON error_groups (org_id, integration_id, code) WHERE status IN ('open', 'regressed')");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX error_groups_open_by_code');
}
