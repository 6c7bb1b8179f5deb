import type { Knex } from 'knex';

// What an alert is about (the integration, the run, the error group or the
// missed-run gap, and the figures it was judged on), recorded with the delivery
// when the alert is detected, so that the email says what the detection saw. A
// summary needs none: its period is in period_start and period_end.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE email_deliveries ADD COLUMN payload jsonb');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE email_deliveries DROP COLUMN payload');
}
