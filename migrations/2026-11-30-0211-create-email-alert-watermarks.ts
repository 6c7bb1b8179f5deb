import type { Knex } from 'knex';

// How far the alert job has examined each organisation that has someone to
// alert, so that a tick reads only what is new, never history:
// - runs_through: runs received (sync_runs.received_at, the database's time of
//   the ingest transaction's start) before it have been examined;
// - events_through: missed-run gaps detected (integration_events.occurred_at,
//   the scheduler's time) up to it have been examined (an organisation's open
//   gaps are few: they are read off integration_events_open);
// - since: when alerting began for the organisation (the scheduler's time);
//   nothing detected before it is alerted.
// checked_at orders the claim (FOR UPDATE SKIP LOCKED, so two schedulers never
// examine one organisation at once); the claim spans every organisation, so its
// index cannot start with org_id. An organisation left with nobody to alert
// loses its row, so alerting starts afresh (from now) when someone subscribes.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE email_alert_watermarks (
      org_id bigint PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
      runs_through timestamptz NOT NULL,
      events_through timestamptz NOT NULL,
      since timestamptz NOT NULL,
      checked_at timestamptz NOT NULL DEFAULT '-infinity'
    )`);
  await knex.raw('CREATE INDEX email_alert_watermarks_due ON email_alert_watermarks (checked_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE email_alert_watermarks');
}
