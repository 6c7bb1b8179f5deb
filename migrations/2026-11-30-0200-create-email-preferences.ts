import type { Knex } from 'knex';

// What each person wants emailed, per organisation they belong to: which
// integrations (NULL: all), how often a summary (off, hourly, daily at a local
// time, weekly on a day at a local time; the zone is the user's own), the least
// severity worth a line, whether an empty summary sends one line or nothing, and
// which alerts (sent after how many consecutive failed runs, and at most one per
// error group or integration per alert_repeat period). unsubscribed_at stops every email of that organisation to them
// until they subscribe again (migration 0202 keeps the links that set it).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE email_preferences (
      org_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      integration_ids bigint[],
      frequency text NOT NULL DEFAULT 'daily' CHECK (frequency IN ('off', 'hourly', 'daily', 'weekly')),
      local_time text NOT NULL DEFAULT '08:00' CHECK (local_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      weekday smallint NOT NULL DEFAULT 1 CHECK (weekday BETWEEN 1 AND 7),
      min_severity text NOT NULL DEFAULT 'error' CHECK (min_severity IN ('error', 'info')),
      empty_summary text NOT NULL DEFAULT 'skip' CHECK (empty_summary IN ('skip', 'one_line')),
      alerts text[] NOT NULL DEFAULT '{missed_run,run_failed,new_group,records_drop,recovery}',
      alert_after_failures smallint NOT NULL DEFAULT 1 CHECK (alert_after_failures BETWEEN 1 AND 100),
      alert_repeat text NOT NULL DEFAULT 'daily' CHECK (alert_repeat IN ('hourly', 'daily', 'weekly')),
      unsubscribed_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (org_id, user_id)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE email_preferences');
}
