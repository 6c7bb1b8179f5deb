import type { Knex } from 'knex';

// The summary email lists the employees blocked longest: per integration, the blocked
// ones by failing_since, so each integration's first five are read in order.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    "CREATE INDEX employee_summaries_blocked_since ON employee_summaries (org_id, integration_id, failing_since, external_id) WHERE state = 'blocked' AND failing_since IS NOT NULL",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX employee_summaries_blocked_since');
}
