import type { Knex } from 'knex';

// An organisation's email preferences for its new members, set by its admins:
// the fields of email_preferences that are not a person's own (no user, no
// unsubscribe). When a person is added to the organisation, these are copied into
// their email_preferences once (and never again: a person's own choice wins). An
// organisation without a row gives new members no preferences, so no email.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE org_email_defaults (
      org_id bigint PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
      integration_ids bigint[],
      frequency text NOT NULL DEFAULT 'daily' CHECK (frequency IN ('off', 'hourly', 'daily', 'weekly')),
      local_time text NOT NULL DEFAULT '08:00' CHECK (local_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      weekday smallint NOT NULL DEFAULT 1 CHECK (weekday BETWEEN 1 AND 7),
      min_severity text NOT NULL DEFAULT 'error' CHECK (min_severity IN ('error', 'info')),
      empty_summary text NOT NULL DEFAULT 'skip' CHECK (empty_summary IN ('skip', 'one_line')),
      alerts text[] NOT NULL DEFAULT '{missed_run,run_failed,new_group,records_drop,recovery}',
      alert_after_failures smallint NOT NULL DEFAULT 1 CHECK (alert_after_failures BETWEEN 1 AND 100),
      alert_repeat text NOT NULL DEFAULT 'daily' CHECK (alert_repeat IN ('hourly', 'daily', 'weekly')),
      updated_by bigint REFERENCES users (id) ON DELETE SET NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE org_email_defaults');
}
