import type { Knex } from 'knex';

// Every email feedlog means to send, claimed before it is sent, so that it is
// sent once: a summary or alert is inserted with a key unique per recipient and
// period (`summary:daily:2026-11-30`, `alert:missed_run:<event>`), so two
// schedulers insert it once; a sender claims due rows with FOR UPDATE SKIP
// LOCKED, moving next_attempt_at past a lease, so two senders never take the
// same row and a row whose sender died is taken again once the lease ends;
// `attempts` fences a late sender out. A failed send goes back to
// pending with a later next_attempt_at (back-off) and its error; after the last
// attempt it stays failed, visible, never dropped. The queue spans every
// organisation, so its index cannot start with org_id.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE email_deliveries (
      org_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('summary', 'alert', 'test')),
      dedupe_key text NOT NULL,
      period_start timestamptz,
      period_end timestamptz,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      message_id text,
      subject text,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      PRIMARY KEY (org_id, id),
      UNIQUE (org_id, user_id, dedupe_key)
    )`);
  await knex.raw("CREATE INDEX email_deliveries_due ON email_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending')");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE email_deliveries');
}
