import type { Knex } from 'knex';

// The outages a person was alerted to (a missed run, or failed runs), one per
// person and integration while it lasts: started_at is when it began (the
// missed gap's first slot, or the first failed run's start) and delivery_id the
// alert that told them. The integration's next good run takes the rows (DELETE
// ... RETURNING, so once) and records a "runs are arriving again" email for each.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE email_alert_outages (
      org_id bigint NOT NULL,
      integration_id bigint NOT NULL,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      started_at timestamptz NOT NULL,
      delivery_id bigint NOT NULL,
      PRIMARY KEY (org_id, integration_id, user_id),
      FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE email_alert_outages');
}
