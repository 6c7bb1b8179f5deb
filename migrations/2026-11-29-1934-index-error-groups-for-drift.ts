import type { Knex } from 'knex';

// Catalog drift lists the groups of the catalog codes that still need someone
// (open or regressed), per organisation and integration. Few groups are
// drift; a partial index holds just those, so drift reads only them whatever
// else the organisation's groups hold. The codes and statuses are written out
// here as src/drift/drift.schemas.ts and src/groups/group-enums.ts had them.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX error_groups_drift ON error_groups (org_id, integration_id)
    WHERE code IN ('job_title_mismatch', 'department_mismatch', 'branch_mismatch') AND status IN ('open', 'regressed')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX error_groups_drift');
}
