import type { Knex } from 'knex';

// Every tenant table starts its primary key and indexes with org_id, so that the
// schema can be distributed by organisation (Citus) without a rewrite.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE integrations (
      org_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      source_system text,
      target_system text,
      schedule_interval_seconds integer CHECK (schedule_interval_seconds > 0),
      schedule_cron text,
      schedule_time_zone text NOT NULL DEFAULT 'UTC',
      grace_seconds integer NOT NULL DEFAULT 600 CHECK (grace_seconds >= 0),
      required_fields text[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (org_id, id),
      UNIQUE (org_id, name),
      CHECK ((schedule_interval_seconds IS NULL) <> (schedule_cron IS NULL))
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE integrations');
}
